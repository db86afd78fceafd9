// From the worker's measured effects (`attribute`: the answer's log-likelihood with and without
// each retrieved passage) to what a citation carries: the effect, whether the passage was used at
// all, and the weight in basis points posted on chain.
import { MAX_RECEIPT_WEIGHT, type CitationEffect } from "@modelfactory/sdk";
import type { AttributeResult } from "../worker-protocol.ts";

/**
 * A passage whose removal lowers the log-likelihood of the answer's new words by at most this
 * many nats (the answer at most 4× less likely without it) is "retrieved, not used". Removing any
 * text from a prompt moves a small model's likelihood of its answer a little, whatever the text
 * says. In the attribution bench (bench/attribution, SmolLM2-135M, 24 planted facts, 2026-12-03)
 * every planted passage an answer took its fact from moved it by at least 3.85 nats (47×), and the
 * three planted passages whose answers ignored them by 0.72, −0.67 and −0.41; of 57 other
 * passages, 90 % moved it by at most 0.98 nats, and the 5 above ln 4 are distractors an answer
 * took words from (the phrasing "the Santorel choir's director" at 3.75; the echoed "the staff
 * answer such questions" at 51.6). ln 4 = 1.39 lies above that background and far below the
 * effect of a passage that was used.
 */
export const NOT_USED_NATS = Math.log(4);

/**
 * The worker's result as one effect per passage, in the order the passages were sent. Throws
 * when it names a different number of passages or a drop that is not a finite number.
 */
export function effectsFromWorker(result: AttributeResult, passages: number): CitationEffect[] {
  if (result.passages.length !== passages) {
    throw new Error(`The worker attributed ${result.passages.length} passages; ${passages} were sent.`);
  }
  return result.passages.map((p, i) => {
    const drop = p.log_prob_drop;
    const weight = p.weight;
    if (typeof drop !== "number" || !Number.isFinite(drop) || typeof weight !== "number" || !Number.isFinite(weight)) {
      throw new Error(`The worker measured no finite effect for passage ${i + 1} (log_prob_drop ${String(drop)}).`);
    }
    return {
      logProbDrop: round(drop),
      ratio: p.ratio === null ? null : round(p.ratio),
      surrogateWeight: round(weight),
      method: result.method === "leave_one_out" ? "leave-one-out" : "contextcite",
      used: drop > NOT_USED_NATS,
    };
  });
}

/**
 * Weights in basis points: each used passage's drop over the sum of the used passages' drops,
 * floored, so they sum to at most 10,000; a passage not used weighs 0.
 */
export function effectWeights(effects: readonly (CitationEffect | null | undefined)[]): number[] {
  const raw = effects.map((e) => (e?.used && e.logProbDrop > 0 ? e.logProbDrop : 0));
  const total = raw.reduce((a, b) => a + b, 0);
  if (total <= 0) return raw.map(() => 0);
  return raw.map((v) => Math.floor((v / total) * MAX_RECEIPT_WEIGHT));
}

function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
