// Training-data influence: which training contributions shaped an answer through fine-tuning
// (not through retrieval). At the end of training the node's worker stores, per contribution, the
// randomly projected gradient of the LoRA adapter's loss on its records (the model's influence
// index, content-addressed and committed in the training manifest). At answer time one backward
// pass gives the answer's own gradient; a contribution's score is the cosine between the two
// (TracIn / LESS style). The chat answer carries these beside its retrieval citations, and the
// receipt commits to them as their own list. Browser-safe.
import type { ContributionMeta } from "./contribution-meta.ts";

/** Training influences kept per answer, best first. */
export const MAX_TRAINING_INFLUENCES = 5;

/**
 * Smallest cosine counted as influence. Below it the contribution's gradient is no closer to the
 * answer's than unrelated training data usually is, so it is neither shown as "shaped by" nor
 * paid weight. Chosen on the attribution bench (SmolLM2-135M, 24 planted facts among 72
 * contributions, bench/results/attribution.json): with one feature per sampled record and a
 * contribution scored by its best record, the contribution that taught a fact the answer states
 * scores 0.94–1.00, and the best-scoring other contribution of every answer 0.05–0.16 (0.07–0.28
 * with the earlier one-mean-row-per-contribution index); at 0.3 every contribution listed there is
 * the planted one. On the tiny test model the planted one scores 0.87, template look-alikes ≤ 0.26.
 */
export const MIN_INFLUENCE_SCORE = 0.3;

/** One training contribution's influence on an answer. No text: contributions by id and metadata only. */
export type TrainingInfluence = ContributionMeta & {
  /** 1 = most influential. */
  rank: number;
  /** Cosine in [-1, 1] between the answer's loss gradient and the contribution's (projected, on the LoRA parameters). */
  score: number;
  /**
   * Weight in basis points, as posted on chain, from the training list's own budget: the
   * influential contributions' scores normalised to sum to at most 10,000.
   */
  weight: number;
  /** Why it is listed, quoting no text. */
  reason: string;
};

/**
 * The influence in words a domain expert reads.
 * @example
 * describeTrainingInfluence(0.93) // "training on this contribution moved the model strongly toward this answer"
 */
export function describeTrainingInfluence(score: number): string {
  if (!Number.isFinite(score)) throw new RangeError(`describeTrainingInfluence: score must be finite, got ${score}.`);
  if (score >= 0.6) return "training on this contribution moved the model strongly toward this answer";
  if (score >= MIN_INFLUENCE_SCORE) return "training on this contribution moved the model toward this answer";
  if (score > -MIN_INFLUENCE_SCORE) return "training on this contribution had no measurable effect on this answer";
  return "training on this contribution moved the model away from this answer";
}
