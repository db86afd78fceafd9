// A batch of receipts as it goes on chain: the SDK's receipt tree (OpenZeppelin standard tree,
// leaves as contracts/libraries/ReceiptLeaf.sol), every receipt's proof, and the packed
// citations of `AttributionLedger.postBatch`.
import { buildReceiptTree, packCitations, type Receipt } from "@modelfactory/sdk";
import type { Hex } from "viem";

export type ReceiptBatchTree = {
  root: Hex;
  /** Proof of `receipts[i]`, in input order. */
  proofs: Hex[][];
  /** 8 bytes per citation, every receipt's citations in input order. */
  citations: Hex;
  citationCount: number;
};

/** Builds the tree and every proof in one pass (the SDK's `receiptProof` searches per call). */
export function buildReceiptBatch(receipts: readonly Receipt[]): ReceiptBatchTree {
  const tree = buildReceiptTree([...receipts]);
  const proofs: Hex[][] = new Array(receipts.length);
  for (const [i] of tree.entries()) proofs[i] = tree.getProof(i) as Hex[];
  const citationCount = receipts.reduce((n, r) => n + r.contributionIds.length, 0);
  return { root: tree.root as Hex, proofs, citations: packCitations([...receipts]), citationCount };
}
