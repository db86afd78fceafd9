// Checks an answer's receipt against the chain, in the browser: the batch root is read from
// AttributionLedger, the Merkle proof is checked locally with the SDK, and the ledger's own
// `verifyReceipt` is called as a second, independent check.
import { hashAnswer, verifyReceipt, type Receipt, type ReceiptStatus } from "@modelfactory/sdk";
import { createPublicClient, http, type Hex } from "viem";
import type { AppConfig } from "../config/app-config.ts";
import { contract } from "./contracts.ts";

export type ReceiptVerification = {
  batchId: string;
  root: Hex;
  /** The proof leads from the leaf to the on-chain root (SDK, in the browser). */
  localProof: boolean;
  /** `AttributionLedger.verifyReceipt` said yes. */
  onChain: boolean;
  /** The receipt's answer hash matches the answer shown (null when no answer is given). */
  answerMatches: boolean | null;
  /** The index (or node) reported the same root as the chain. */
  rootMatches: boolean;
};

/** The on-chain receipt (leaf fields) from the node's answer. */
export function receiptOf(status: ReceiptStatus): Receipt {
  const l = status.leaf;
  return {
    receiptId: l.receiptId,
    modelId: BigInt(l.modelId),
    answerHash: l.answerHash,
    contributionIds: l.contributionIds.map((id) => BigInt(id)),
    weights: l.weights,
    detailsHash: l.detailsHash,
  };
}

/** Verification of a receipt whose batch root is already known (pure; used by tests). */
export function verifyReceiptLocally(status: ReceiptStatus, chainRoot: Hex, answer?: string): Pick<ReceiptVerification, "localProof" | "answerMatches" | "rootMatches"> {
  const receipt = receiptOf(status);
  return {
    localProof: status.proof ? verifyReceipt(chainRoot, receipt, status.proof) : false,
    answerMatches: answer === undefined ? null : hashAnswer(answer).toLowerCase() === receipt.answerHash.toLowerCase(),
    rootMatches: status.root !== null && status.root.toLowerCase() === chainRoot.toLowerCase(),
  };
}

export async function verifyReceiptOnChain(config: AppConfig, status: ReceiptStatus, answer?: string): Promise<ReceiptVerification> {
  if (status.status !== "posted" || status.batchId === null || !status.proof) {
    throw new Error("This answer's receipt is not in a posted batch yet; try again in a moment.");
  }
  const client = createPublicClient({ transport: http(config.rpcUrl) });
  const ledger = contract(config, "AttributionLedger");
  const batchId = BigInt(status.batchId);
  const root = (await client.readContract({ ...ledger, functionName: "batchRoot", args: [batchId] })) as Hex;
  const receipt = receiptOf(status);
  const onChain = (await client.readContract({ ...ledger, functionName: "verifyReceipt", args: [batchId, receipt, status.proof] })) as boolean;
  return { batchId: status.batchId, root, onChain, ...verifyReceiptLocally(status, root, answer) };
}
