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
    eval: keyed.slice(0, n).map((k) => k.item).sort(byId),
    train: keyed.slice(n).map((k) => k.item).sort(byId),
    heldOut: true,
  };
}
