// An answer receipt's on-chain leaf as JSON (bigints as decimal strings), the form the trainer
// API shows and the browser reads back, and the comparison the verifier reports field by field.
import type { Hex } from "viem";
import type { Receipt } from "./receipt.ts";

/** A leaf as JSON (bigints as decimal strings), as the trainer API shows it. */
export type ReceiptLeafJson = {
  receiptId: Hex;
  modelId: string;
  answerHash: Hex;
  contributionIds: string[];
  weights: number[];
  trainingContributionIds: string[];
  trainingWeights: number[];
  detailsHash: Hex;
};

/** The leaf as JSON (bigints as decimal strings). */
export function leafToJson(leaf: Receipt): ReceiptLeafJson {
  return {
    receiptId: leaf.receiptId,
    modelId: leaf.modelId.toString(),
    answerHash: leaf.answerHash,
    contributionIds: leaf.contributionIds.map(String),
    weights: [...leaf.weights],
    trainingContributionIds: leaf.trainingContributionIds.map(String),
    trainingWeights: [...leaf.trainingWeights],
    detailsHash: leaf.detailsHash,
  };
}

/**
 * The leaf from its JSON form. A leaf from a node older than receipt/3 has no training lists;
 * they read as empty, which is the leaf it committed.
 */
export function leafFromJson(
  leaf: Omit<ReceiptLeafJson, "trainingContributionIds" | "trainingWeights"> &
    Partial<Pick<ReceiptLeafJson, "trainingContributionIds" | "trainingWeights">>,
): Receipt {
  return {
    receiptId: leaf.receiptId,
    modelId: BigInt(leaf.modelId),
    answerHash: leaf.answerHash,
    contributionIds: leaf.contributionIds.map((id) => BigInt(id)),
    weights: [...leaf.weights],
    trainingContributionIds: (leaf.trainingContributionIds ?? []).map((id) => BigInt(id)),
    trainingWeights: [...(leaf.trainingWeights ?? [])],
    detailsHash: leaf.detailsHash,
  };
}

/** The names of the leaf fields in which two leaves differ (empty when they are equal). */
export function leafDifferences(a: Receipt, b: Receipt): (keyof Receipt)[] {
  const out: (keyof Receipt)[] = [];
  if (a.receiptId.toLowerCase() !== b.receiptId.toLowerCase()) out.push("receiptId");
  if (a.modelId !== b.modelId) out.push("modelId");
  if (a.answerHash.toLowerCase() !== b.answerHash.toLowerCase()) out.push("answerHash");
  if (a.contributionIds.join(",") !== b.contributionIds.join(",")) out.push("contributionIds");
  if (a.weights.join(",") !== b.weights.join(",")) out.push("weights");
  if (a.trainingContributionIds.join(",") !== b.trainingContributionIds.join(",")) out.push("trainingContributionIds");
  if (a.trainingWeights.join(",") !== b.trainingWeights.join(",")) out.push("trainingWeights");
  if (a.detailsHash.toLowerCase() !== b.detailsHash.toLowerCase()) out.push("detailsHash");
  return out;
}
