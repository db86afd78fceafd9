// "Verify on chain" starts from what the screen shows: the leaf is recomputed from the receipt
// document, so a node that shows one document and committed another is caught.
import { describe, expect, it } from "vitest";
import { buildReceipt, buildReceiptTree, leafToJson, receiptProof, type Citation, type ReceiptStatus } from "@modelfactory/sdk";
import type { Hex } from "viem";
import { exampleCitation } from "../../sdk/test/fixtures/receipts.ts";
import { verificationSummary, verifyReceiptLocally, type ChainBatch } from "../src/lib/verify-receipt.ts";

const answer = "Pull 18 g of coffee in 25 to 30 seconds.";
// The SDK's example citation, with this answer's passage.
const citation = (contributionId: string, weight: number, rank: number): Citation => ({
  ...exampleCitation(contributionId, weight, rank),
  passage: { text: "A shot takes 25 to 30 seconds.", start: 0, end: 30 },
});
const question = "How long is a shot?";
const shownCitations = [citation("4", 7000, 1), citation("9", 3000, 2)];
const built = [
  buildReceipt({ modelId: 1n, question, answer, citations: shownCitations }),
  buildReceipt({ modelId: 1n, question: "other", answer: "other", citations: [citation("5", 10000, 1)] }),
];
const tree = buildReceiptTree(built.map((b) => b.leaf));
const root = tree.root as Hex;
const batch: ChainBatch = { root, batchId: "1", modelId: "1" };

function status(i: number, patch: Partial<ReceiptStatus> = {}): ReceiptStatus {
  const { document, leaf } = built[i]!;
  return { receipt: document, leaf: leafToJson(leaf), status: "posted", batchId: "1", root, proof: receiptProof(tree, leaf.receiptId), transactionHash: null, ...patch };
}
const failed = (r: ReturnType<typeof verifyReceiptLocally>) => r.checks.filter((c) => !c.ok).map((c) => c.id);

describe("receipt verification in the browser", () => {
  it("passes every check for an honest node and what it showed", () => {
    const r = verifyReceiptLocally(status(0), batch, { question, answer, citations: shownCitations, modelId: "1" });
    expect(failed(r)).toEqual([]);
    expect(r.checks.map((c) => c.id)).toEqual(["document", "leaf", "citations", "passages", "question", "answer", "model", "root", "proof"]);
    expect(r.leaf).toEqual(built[0]!.leaf);
    expect(verificationSummary(r)).toBe("Verified: what is shown is what the chain holds.");
  });

  it("says which part does not match when the node's document differs from the leaf it committed", () => {
    const doc = built[0]!.document;
    const edited = { ...doc, citations: doc.citations.map((c) => ({ ...c, weight: c.rank === 1 ? 9000 : 1000 })) };
    const r = verifyReceiptLocally(status(0, { receipt: edited }), batch, { citations: shownCitations.map((c) => ({ ...c, weight: c.rank === 1 ? 9000 : 1000 })) });
    // The node still hands over the committed leaf and a valid proof of it: only recomputing catches it.
    expect(failed(r)).toEqual(["leaf", "proof"]);
    expect(r.checks.find((c) => c.id === "leaf")!.detail).toMatch(/does not match the document \(weights, detailsHash differ\)/);
    expect(verificationSummary(r)).toMatch(/^Does not match: leaf the node committed does not match/);
  });

  it("catches citations, answer or model on screen that the receipt does not commit to", () => {
    const shown = { question: "How long is a ristretto?", answer: "a different answer", citations: [citation("4", 10000, 1)], modelId: "2" };
    expect(failed(verifyReceiptLocally(status(0), batch, shown))).toEqual(["citations", "passages", "question", "answer", "model"]);
    // The same citations with another passage text: the public parts match, the text does not.
    const otherText = shownCitations.map((c, i) => (i === 1 ? { ...c, passage: { ...c.passage, text: "A shot takes 40 seconds." } } : c));
    const r = verifyReceiptLocally(status(0), batch, { citations: otherText });
    expect(failed(r)).toEqual(["citations", "passages"]);
    expect(r.checks.find((c) => c.id === "passages")!.detail).toBe("do not match the receipt (passage of citation 2)");
  });

  it("rejects a root the chain does not hold (or holds for another batch or model), a wrong proof and an unreadable document", () => {
    expect(failed(verifyReceiptLocally(status(0), null))).toEqual(["root", "proof"]);
    expect(verifyReceiptLocally(status(0), { ...batch, batchId: "2" }).checks.find((c) => c.id === "root")!.detail).toBe("is on chain as batch #2, not #1");
    expect(verifyReceiptLocally(status(0), { ...batch, modelId: "2" }).checks.find((c) => c.id === "root")!.detail).toBe("is on chain for model #2, not #1");
    expect(failed(verifyReceiptLocally(status(0, { proof: receiptProof(tree, built[1]!.leaf.receiptId) }), batch))).toEqual(["proof"]);
    const r = verifyReceiptLocally(status(0, { receipt: { ...built[0]!.document, receiptId: "0x12" as Hex } }), batch);
    expect(failed(r)).toEqual(["document", "proof"]);
    expect(r.checks[0]!.detail).toMatch(/receiptId/);
  });
});
