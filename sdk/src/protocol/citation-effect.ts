// The measured effect of a retrieved passage on an answer (context ablation in the trainer node's
// worker): how much less likely the model's answer becomes without it, measured over the answer's
// words that the conversation does not already hold (words the question supplied are no passage's
// doing). The chat's answer carries
// it per citation; the public receipt states it in words inside the committed, text-free reason,
// so receipt/2's shape is unchanged. One wording for the node's reasons and the GUI.

/** A passage's effect on the answer, from the worker's `attribute` command. */
export type CitationEffect = {
  /** Nats the log-likelihood of the answer's new words (those the conversation does not hold) falls when the passage is removed (negative: likelier without it). */
  logProbDrop: number;
  /** exp(logProbDrop): how many times likelier the answer is with the passage; null past float range. */
  ratio: number | null;
  /** The linear surrogate's weight in nats (equal to logProbDrop for leave-one-out). */
  surrogateWeight: number;
  /** leave-one-out: measured by removing the passage; contextcite: a linear surrogate fitted to random ablations. */
  method: "leave-one-out" | "contextcite";
  /** false: retrieved, not used — no measurable effect; weight 0 and left out of the posted receipt. */
  used: boolean;
};

/** "4.1×", "37×", "12,000×", "more than a million times". */
export function formatLikelihoodRatio(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio >= 1e6) return "more than a million times";
  if (ratio < 10) return `${(Math.round(ratio * 10) / 10).toFixed(1)}×`;
  const digits = ratio < 1000 ? 0 : Math.floor(Math.log10(ratio)) - 1;
  const rounded = Math.round(ratio / 10 ** digits) * 10 ** digits;
  return `${rounded.toLocaleString("en-US")}×`;
}

/**
 * The effect in words a domain expert reads: "without this passage the answer becomes 4.1× less
 * likely", or "… 1.3× more likely" for a passage the answer goes against.
 * @example
 * describeCitationEffect({ logProbDrop: 1.41, ratio: 4.1, surrogateWeight: 1.41, method: "leave-one-out", used: true })
 * // "without this passage the answer becomes 4.1× less likely"
 */
export function describeCitationEffect(effect: Pick<CitationEffect, "logProbDrop">): string {
  const drop = effect.logProbDrop;
  if (drop === 0) return "without this passage the answer is exactly as likely";
  const times = formatLikelihoodRatio(Math.exp(Math.abs(drop)));
  return `without this passage the answer becomes ${times} ${drop > 0 ? "less" : "more"} likely`;
}
