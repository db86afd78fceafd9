// Checks an answer's receipt against the chain, in the browser, starting from what the screen
// shows: the leaf is recomputed here from the public receipt document (SDK), compared with the
// leaf the trainer node says it committed, with the citations, training influences, model and —
// by their hashes — the question, answer and passages on screen (the asker's private part), then
// proved against the batch root read from AttributionLedger — locally with the SDK and with the
// ledger's own `verifyReceipt`. A node that shows one thing and committed another fails here.
// Receipts of both schemas verify: receipt/3 (retrieval citations and training influences) and
// receipt/2 of batches posted before, whose leaf is a receipt/3 leaf without influences.
import {
  canonicalJson,
  describeError,
  hashAnswer,
  hashText,
  leafDifferences,
  leafFromJson,
  parseReceiptDocument,
  privatePartMismatches,
  publicCitation,
  publicTrainingInfluence,
  receiptLeafFromDocument,
  verifyReceipt,
  verifyReceiptCall,
  type Citation,
  type Receipt,
  type ReceiptStatus,
  type TrainingInfluence,
} from "@modelfactory/sdk";
import { BaseError, ContractFunctionRevertedError, createPublicClient, http, type Hex } from "viem";
import type { AppConfig } from "../config/app-config.ts";
import { contract } from "./contracts.ts";

/** One check, with the sentence the GUI shows whether it passed or failed. */
export type ReceiptCheck = { id: ReceiptCheckId; ok: boolean; label: string; detail: string };
export type ReceiptCheckId =
  | "document"
  | "leaf"
  | "citations"
  | "training"
  | "passages"
  | "question"
  | "answer"
  | "model"
  | "root"
  | "proof"
  | "ledger";

export type ReceiptVerification = {
  batchId: string;
  /** The batch root the node reported (checked against the chain in `checks`). */
  root: Hex;
  /** The leaf recomputed in the browser from the receipt document (null when the document is unreadable). */
  leaf: Receipt | null;
  checks: ReceiptCheck[];
  /** Every check passed. */
  valid: boolean;
};

/**
 * What the screen shows beside the receipt, each compared with the public receipt document: the
 * asker's question, answer and cited passages (their private part) by their hashes, and the
 * training influences ("shaped by training on …") as they are.
 */
export type ShownAnswer = {
  question?: string;
  answer?: string;
  citations?: readonly Citation[];
  trainingInfluences?: readonly TrainingInfluence[];
  modelId?: string;
};

/** A batch as the chain holds it: `AttributionLedger.batchOf(root)`. */
export type ChainBatch = { root: Hex; batchId: string; modelId: string };

/**
 * The checks of a receipt whose batch has been looked up on chain (`null`: the root the node
 * reports is not on chain). Pure; {@link verifyReceiptOnChain} adds the ledger's own answer.
 */
export function verifyReceiptLocally(
  status: ReceiptStatus,
  batch: ChainBatch | null,
  shown: ShownAnswer = {},
): { leaf: Receipt | null; checks: ReceiptCheck[] } {
  const checks: ReceiptCheck[] = [];
  const add = (id: ReceiptCheckId, ok: boolean, label: string, detail: string) => checks.push({ id, ok, label, detail });
  let leaf: Receipt | null = null;
  try {
    leaf = receiptLeafFromDocument(parseReceiptDocument(status.receipt));
    add("document", true, "Receipt document", "read and its leaf recomputed here");
  } catch (error) {
    add("document", false, "Receipt document", `cannot be committed to: ${describeError(error)}`);
  }
  if (leaf) {
    let diff: string[];
    try {
      diff = leafDifferences(leaf, leafFromJson(status.leaf));
    } catch {
      diff = ["the whole leaf (unreadable)"];
    }
    add(
      "leaf",
      diff.length === 0,
      "Leaf the node committed",
      diff.length === 0 ? "matches the leaf recomputed from the document" : `does not match the document (${diff.join(", ")} differ)`,
    );
  }
  if (shown.citations) {
    let same = false;
    try {
      same = canonicalJson(shown.citations.map(publicCitation)) === canonicalJson(status.receipt.citations ?? null);
    } catch {
      same = false;
    }
    add(
      "citations",
      same,
      "Citations shown",
      same ? "are the ones the receipt commits to" : "do not match the citations the receipt commits to",
    );
    const passages = shown.citations.map((c) => c.passage.text);
    const bad = leaf
      ? privatePartMismatches(status.receipt, { question: "", answer: "", passages }).filter((m) => m.startsWith("passage"))
      : ["the document"];
    add(
      "passages",
      bad.length === 0,
      "Passages shown",
      bad.length === 0 ? "hash to the receipt's passage hashes" : `do not match the receipt (${bad.join(", ")})`,
    );
  }
  if (shown.trainingInfluences) {
    let same = false;
    try {
      same =
        canonicalJson(shown.trainingInfluences.map(publicTrainingInfluence)) === canonicalJson(status.receipt.trainingInfluences ?? []);
    } catch {
      same = false;
    }
    add(
      "training",
      same,
      "Training influences shown",
      same ? "are the ones the receipt commits to" : "do not match the training influences the receipt commits to",
    );
  }
  if (shown.question !== undefined) {
    const same = hashText(shown.question).toLowerCase() === String(status.receipt.questionHash).toLowerCase();
    add("question", same, "Question shown", same ? "hashes to the receipt's question hash" : "does not match the receipt's question hash");
  }
  if (shown.answer !== undefined) {
    const same = hashAnswer(shown.answer).toLowerCase() === String(status.receipt.answerHash).toLowerCase();
    add("answer", same, "Answer shown", same ? "hashes to the receipt's answer hash" : "does not match the receipt's answer hash");
  }
  if (shown.modelId !== undefined) {
    const same = shown.modelId === status.receipt.modelId;
    add(
      "model",
      same,
      "Model",
      same ? `the receipt is for model #${shown.modelId}` : `the receipt is for model #${status.receipt.modelId}, not #${shown.modelId}`,
    );
  }
  const rootOk = batch !== null && batch.batchId === status.batchId && batch.modelId === status.receipt.modelId;
  add(
    "root",
    rootOk,
    "Batch root",
    batch === null
      ? "the root the node reports is not on chain"
      : batch.batchId !== status.batchId
        ? `is on chain as batch #${batch.batchId}, not #${status.batchId}`
        : batch.modelId !== status.receipt.modelId
          ? `is on chain for model #${batch.modelId}, not #${status.receipt.modelId}`
          : `is on chain as batch #${batch.batchId} of model #${batch.modelId}`,
  );
  const proofOk = !!leaf && !!status.proof && batch !== null && verifyReceipt(batch.root, leaf, status.proof);
  add(
    "proof",
    proofOk,
    "Merkle proof (checked here)",
    proofOk ? "valid: the recomputed leaf is under the on-chain root" : "invalid: the recomputed leaf is not under the on-chain root",
  );
  return { leaf, checks };
}

/** Looks the batch up on chain and asks `AttributionLedger.verifyReceipt` about the recomputed leaf. */
export async function verifyReceiptOnChain(
  config: AppConfig,
  status: ReceiptStatus,
  shown: ShownAnswer = {},
): Promise<ReceiptVerification> {
  if (status.status !== "posted" || status.batchId === null || !status.proof || !status.root) {
    throw new Error("This answer's receipt is not in a posted batch yet; try again in a moment.");
  }
  const client = createPublicClient({ transport: http(config.rpcUrl) });
  const ledger = contract(config, "AttributionLedger");
  let batch: ChainBatch | null = null;
  try {
    const [batchId, modelId] = (await client.readContract({ ...ledger, functionName: "batchOf", args: [status.root] })) as readonly [
      bigint,
      bigint,
    ];
    batch = { root: status.root, batchId: batchId.toString(), modelId: modelId.toString() };
  } catch (error) {
    // The ledger reverts UnknownBatchRoot for a root it never saw; anything else (RPC down) is thrown.
    const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (!(revert instanceof ContractFunctionRevertedError && revert.data?.errorName === "UnknownBatchRoot")) throw error;
  }
  const { leaf, checks } = verifyReceiptLocally(status, batch, shown);
  let onChain = false;
  // The SDK picks the ledger's verifyReceipt for the leaf: a receipt without training influences
  // is asked with the signature older ledgers have too, so batches posted before still verify.
  if (leaf)
    onChain = (await client.readContract({
      address: ledger.address,
      ...verifyReceiptCall(BigInt(status.batchId), leaf, status.proof),
    })) as boolean;
  checks.push({
    id: "ledger",
    ok: onChain,
    label: "AttributionLedger.verifyReceipt",
    detail: onChain ? "true for the recomputed leaf" : "false for the recomputed leaf",
  });
  return { batchId: status.batchId, root: status.root, leaf, checks, valid: checks.every((c) => c.ok) };
}

/** The one sentence the GUI leads with. */
export function verificationSummary(v: Pick<ReceiptVerification, "checks">): string {
  const failed = v.checks.filter((c) => !c.ok);
  if (failed.length === 0) return "Verified: what is shown is what the chain holds.";
  return `Does not match: ${failed.map((c) => `${c.label.toLowerCase()} ${c.detail}`).join("; ")}.`;
}
