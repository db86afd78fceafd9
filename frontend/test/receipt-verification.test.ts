// "Verify on chain" starts from what the screen shows: the leaf is recomputed from the receipt
// document, so a node that shows one document and committed another is caught.
import { describe, expect, it } from "vitest";
import {
  buildReceipt,
  buildReceiptTree,
  leafToJson,
  receiptLeafFromDocument,
  receiptProof,
  verifyReceiptCall,
  type Citation,
  type ReceiptDocument,
  type ReceiptLeafJson,
  type ReceiptStatus,
  type TrainingInfluence,
} from "@modelfactory/sdk";
import type { Hex } from "viem";
import { exampleCitation } from "../../sdk/test/fixtures/receipts.ts";
import v2Batch from "../../sdk/test/protocol/receipt-v2-batch.fixture.json";
import { verificationSummary, verifyReceiptLocally, type ChainBatch } from "../src/lib/verify-receipt.ts";

const answer = "Pull 18 g of coffee in 25 to 30 seconds.";
// The SDK's example citation, with this answer's passage.
const citation = (contributionId: string, weight: number, rank: number): Citation => ({
  ...exampleCitation(contributionId, weight, rank),
  passage: { text: "A shot takes 25 to 30 seconds.", start: 0, end: 30 },
});
const question = "How long is a shot?";
const shownCitations = [citation("4", 7000, 1), citation("9", 3000, 2)];
// Training contributions that shaped the first answer (no text: ids and metadata).
const influence = (contributionId: string, weight: number, rank: number): TrainingInfluence => {
  const {
    contributionId: _c,
    datanetId,
    contributor,
    timestamp,
    transactionHash,
    contentId,
    metadataURI,
  } = exampleCitation(contributionId, 0);
  return {
    contributionId,
    datanetId,
    contributor,
    timestamp,
    transactionHash,
    contentId,
    metadataURI,
    rank,
    score: 0.9 - rank / 10,
    weight,
    reason: "training on this contribution moved the model strongly toward this answer",
  };
};
const shownInfluences = [influence("9", 6000, 1), influence("12", 4000, 2)];
const built = [
  buildReceipt({ modelId: 1n, question, answer, citations: shownCitations, trainingInfluences: shownInfluences }),
  buildReceipt({ modelId: 1n, question: "other", answer: "other", citations: [citation("5", 10000, 1)] }),
];
const tree = buildReceiptTree(built.map((b) => b.leaf));
const root = tree.root as Hex;
const batch: ChainBatch = { root, batchId: "1", modelId: "1" };

function status(i: number, patch: Partial<ReceiptStatus> = {}): ReceiptStatus {
  const { document, leaf } = built[i]!;
  return {
    receipt: document,
    leaf: leafToJson(leaf),
    status: "posted",
    batchId: "1",
    root,
    proof: receiptProof(tree, leaf.receiptId),
    transactionHash: null,
    ...patch,
  };
}
const failed = (r: ReturnType<typeof verifyReceiptLocally>) => r.checks.filter((c) => !c.ok).map((c) => c.id);

describe("receipt verification in the browser", () => {
  it("passes every check for an honest node and what it showed", () => {
    const r = verifyReceiptLocally(status(0), batch, { question, answer, citations: shownCitations, modelId: "1" });
    expect(failed(r)).toEqual([]);
    expect(r.checks.map((c) => c.id)).toEqual([
      "document",
      "leaf",
      "citations",
      "passages",
      "question",
      "answer",
      "model",
      "root",
      "proof",
    ]);
    expect(r.leaf).toEqual(built[0]!.leaf);
    expect(verificationSummary(r)).toBe("Verified: what is shown is what the chain holds.");
  });

  it("says which part does not match when the node's document differs from the leaf it committed", () => {
    const doc = built[0]!.document;
    const edited = { ...doc, citations: doc.citations.map((c) => ({ ...c, weight: c.rank === 1 ? 9000 : 1000 })) };
    const r = verifyReceiptLocally(status(0, { receipt: edited }), batch, {
      citations: shownCitations.map((c) => ({ ...c, weight: c.rank === 1 ? 9000 : 1000 })),
    });
    // The node still hands over the committed leaf and a valid proof of it: only recomputing catches it.
    expect(failed(r)).toEqual(["leaf", "proof"]);
    expect(r.checks.find((c) => c.id === "leaf")!.detail).toMatch(/does not match the document \(weights, detailsHash differ\)/);
    expect(verificationSummary(r)).toMatch(/^Does not match: leaf the node committed does not match/);
  });

  it("catches citations, answer or model on screen that the receipt does not commit to", () => {
    const shown = {
      question: "How long is a ristretto?",
      answer: "a different answer",
      citations: [citation("4", 10000, 1)],
      modelId: "2",
    };
    expect(failed(verifyReceiptLocally(status(0), batch, shown))).toEqual(["citations", "passages", "question", "answer", "model"]);
    // The same citations with another passage text: the public parts match, the text does not.
    const otherText = shownCitations.map((c, i) => (i === 1 ? { ...c, passage: { ...c.passage, text: "A shot takes 40 seconds." } } : c));
    const r = verifyReceiptLocally(status(0), batch, { citations: otherText });
    expect(failed(r)).toEqual(["citations", "passages"]);
    expect(r.checks.find((c) => c.id === "passages")!.detail).toBe("do not match the receipt (passage of citation 2)");
  });

  it("verifies a receipt with both lists, and catches training influences on screen or in the document that differ", () => {
    expect(built[0]!.leaf.trainingContributionIds).toEqual([9n, 12n]);
    const r = verifyReceiptLocally(status(0), batch, { citations: shownCitations, trainingInfluences: shownInfluences });
    expect(failed(r)).toEqual([]);
    expect(r.checks.find((c) => c.id === "training")!.detail).toBe("are the ones the receipt commits to");
    // The ledger is asked with the two-list verifyReceipt for it, the older one for a receipt without influences.
    expect(verifyReceiptCall(1n, built[0]!.leaf, []).abi[0].inputs[1].components).toHaveLength(8);
    expect(verifyReceiptCall(1n, built[1]!.leaf, []).abi[0].inputs[1].components).toHaveLength(6);
    // Shown with another weight: the screen does not show what was committed.
    const shifted = shownInfluences.map((t) => ({ ...t, weight: 5000 }));
    expect(failed(verifyReceiptLocally(status(0), batch, { trainingInfluences: shifted }))).toEqual(["training"]);
    // A node whose document drops an influence but hands over the committed leaf and proof.
    const doc = built[0]!.document;
    const dropped = { ...doc, trainingInfluences: doc.trainingInfluences!.slice(0, 1) };
    const d = verifyReceiptLocally(status(0, { receipt: dropped }), batch, { trainingInfluences: shownInfluences });
    expect(failed(d)).toEqual(["leaf", "training", "proof"]);
    expect(d.checks.find((c) => c.id === "leaf")!.detail).toMatch(/trainingContributionIds, trainingWeights, detailsHash differ/);
  });

  it("verifies a receipt/2 of a batch posted before training influences", () => {
    const old = v2Batch.receipts[0]!;
    const oldStatus: ReceiptStatus = {
      receipt: old.document as ReceiptDocument,
      leaf: old.leaf as ReceiptLeafJson,
      status: "posted",
      batchId: "3",
      root: v2Batch.root as Hex,
      proof: old.proof as Hex[],
      transactionHash: null,
    };
    const r = verifyReceiptLocally(oldStatus, { root: v2Batch.root as Hex, batchId: "3", modelId: "4" }, { modelId: "4" });
    expect(failed(r)).toEqual([]);
    const leaf = receiptLeafFromDocument(old.document as ReceiptDocument);
    expect(verifyReceiptCall(3n, leaf, old.proof as Hex[]).args[1]).not.toHaveProperty("trainingContributionIds");
  });

  it("rejects a root the chain does not hold (or holds for another batch or model), a wrong proof and an unreadable document", () => {
    expect(failed(verifyReceiptLocally(status(0), null))).toEqual(["root", "proof"]);
    expect(verifyReceiptLocally(status(0), { ...batch, batchId: "2" }).checks.find((c) => c.id === "root")!.detail).toBe(
      "is on chain as batch #2, not #1",
    );
    expect(verifyReceiptLocally(status(0), { ...batch, modelId: "2" }).checks.find((c) => c.id === "root")!.detail).toBe(
      "is on chain for model #2, not #1",
    );
    expect(failed(verifyReceiptLocally(status(0, { proof: receiptProof(tree, built[1]!.leaf.receiptId) }), batch))).toEqual(["proof"]);
    const r = verifyReceiptLocally(status(0, { receipt: { ...built[0]!.document, receiptId: "0x12" as Hex } }), batch);
    expect(failed(r)).toEqual(["document", "proof"]);
    expect(r.checks[0]!.detail).toMatch(/receiptId/);
  });
});
