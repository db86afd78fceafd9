// Deterministic train/eval split by contribution: the same job always holds out the same
// contributions, and no contribution's records land on both sides.
import { keccak256, stringToBytes } from "viem";

export type Split<T> = { train: T[]; eval: T[]; heldOut: boolean };

/**
 * Orders items by keccak256(seed, id) and holds out round(fraction·n) of them (at least one
 * when there are two or more). With a single contribution nothing can be held out:
 * evaluation then runs in-sample and the report says so.
 */
export function splitByContribution<T extends { id: bigint }>(items: readonly T[], fraction: number, seed: string): Split<T> {
  if (items.length < 2 || fraction <= 0) return { train: [...items], eval: [...items], heldOut: false };
  const keyed = items.map((item) => ({ item, key: keccak256(stringToBytes(`${seed}:${item.id}`)) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const n = Math.min(items.length - 1, Math.max(1, Math.round(fraction * items.length)));
  const byId = (a: T, b: T) => (a.id < b.id ? -1 : 1);
  return {
    eval: keyed
      .slice(0, n)
      .map((k) => k.item)
      .sort(byId),
    train: keyed
      .slice(n)
      .map((k) => k.item)
      .sort(byId),
    heldOut: true,
  };
}

/** How a job's held-out records were chosen, as the evaluation report states it. */
export type EvalSplitMethod = "contribution" | "record";

export type RecordSplit<R> = {
  train: R[];
  /** Round-robin over contributions, so the first samples come from every contribution. */
  eval: R[];
  heldOut: boolean;
  /**
   * Share of held-out records whose answer a training record of the same contribution already
   * gives (≥ 60 % of its words, ROUGE-1 recall): questions that paraphrase trained facts.
   */
  paraphraseShare: number;
};

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** ROUGE-1 recall of `reference` by `candidate` (clipped unigram counts). */
function unigramRecall(reference: string[], candidate: Map<string, number>): number {
  if (reference.length === 0) return 0;
  const need = new Map<string, number>();
  for (const w of reference) need.set(w, (need.get(w) ?? 0) + 1);
  let hit = 0;
  for (const [w, n] of need) hit += Math.min(n, candidate.get(w) ?? 0);
  return hit / reference.length;
}

/**
 * Holds out round(fraction·n) records of every contribution with n ≥ 2 records, ordered by
 * keccak256(seed, contribution, index): the same job always holds out the same records. Every
 * contribution is trained on, so the held-out questions ask about what the Datanets teach, often
 * in other words (`paraphraseShare` measures how often), rather than about unseen topics.
 */
export function splitByRecord<R>(
  byContribution: ReadonlyMap<bigint, readonly R[]>,
  fraction: number,
  seed: string,
  answerOf: (r: R) => string,
): RecordSplit<R> {
  const all = [...byContribution.values()].flat();
  if (fraction <= 0 || all.length < 2) return { train: all, eval: all, heldOut: false, paraphraseShare: 0 };
  const train: R[] = [];
  const evalSides: R[][] = [];
  let paraphrases = 0;
  let held = 0;
  for (const [id, records] of byContribution) {
    if (records.length < 2) {
      train.push(...records);
      continue;
    }
    const n = Math.min(records.length - 1, Math.max(1, Math.round(fraction * records.length)));
    const order = records
      .map((_, i) => ({ i, key: keccak256(stringToBytes(`${seed}:${id}:${i}`)) }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const out = new Set(order.slice(0, n).map((o) => o.i));
    const kept = records.filter((_, i) => !out.has(i));
    const side = records.filter((_, i) => out.has(i));
    train.push(...kept);
    evalSides.push(side);
    const trainAnswers = kept.map((r) => {
      const bag = new Map<string, number>();
      for (const w of words(answerOf(r))) bag.set(w, (bag.get(w) ?? 0) + 1);
      return bag;
    });
    for (const r of side) {
      const ref = words(answerOf(r));
      held++;
      if (trainAnswers.some((bag) => unigramRecall(ref, bag) >= 0.6)) paraphrases++;
    }
  }
  const evalRecords: R[] = [];
  for (let k = 0; evalSides.some((s) => k < s.length); k++) for (const s of evalSides) if (k < s.length) evalRecords.push(s[k]!);
  if (evalRecords.length === 0) return { train, eval: train, heldOut: false, paraphraseShare: 0 };
  return { train, eval: evalRecords, heldOut: true, paraphraseShare: held ? paraphrases / held : 0 };
}
