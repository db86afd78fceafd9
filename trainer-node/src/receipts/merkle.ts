// A batch of receipts as it goes on chain: the SDK's receipt tree (OpenZeppelin standard tree,
// leaves as contracts/libraries/ReceiptLeaf.sol), proofs on request, and the packed citations
// of `AttributionLedger.postBatch`. Proofs are computed lazily: each costs about as much as a
// leaf hash, and most receipts are never asked for one.
import { buildReceiptTree, packCitations, type Receipt } from "@modelfactory/sdk";
import type { Hex } from "viem";

export type ReceiptBatchTree = {
  root: Hex;
  /** 8 bytes per citation, every receipt's group (retrieval, then training citations) in input order. */
  citations: Hex;
  /** Citations of both lists. */
  citationCount: number;
  /** The proof of `receipts[index]`. */
  proof(index: number): Hex[];
};

export function buildReceiptBatch(receipts: readonly Receipt[]): ReceiptBatchTree {
  const tree = buildReceiptTree([...receipts]);
  const citationCount = receipts.reduce((n, r) => n + receiptCitationCount(r), 0);
  return { root: tree.root as Hex, citations: packCitations([...receipts]), citationCount, proof: (i) => tree.getProof(i) as Hex[] };
}

/** A receipt's packed citations: its retrieval citations and its training influences. */
export function receiptCitationCount(receipt: Receipt): number {
  return receipt.contributionIds.length + receipt.trainingContributionIds.length;
}
