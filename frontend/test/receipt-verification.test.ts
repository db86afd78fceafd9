import { describe, expect, it } from "vitest";
import { buildReceiptTree, hashAnswer, receiptProof, type Receipt, type ReceiptStatus } from "@modelfactory/sdk";
import type { Hex } from "viem";
import { receiptOf, verifyReceiptLocally } from "../src/lib/verify-receipt.ts";

const h = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const answer = "Assess airway, breathing and circulation.";
const receipts: Receipt[] = [
  { receiptId: h(1), modelId: 1n, answerHash: hashAnswer(answer), contributionIds: [1n, 2n], weights: [7000, 3000], detailsHash: h(11) },
  { receiptId: h(2), modelId: 1n, answerHash: hashAnswer("other"), contributionIds: [3n], weights: [10000], detailsHash: h(12) },
  { receiptId: h(3), modelId: 1n, answerHash: hashAnswer("third"), contributionIds: [], weights: [], detailsHash: h(13) },
];
const tree = buildReceiptTree(receipts);
const root = tree.root as Hex;

function status(r: Receipt, proof: Hex[] | null, rootSeen: Hex | null = root): ReceiptStatus {
  return {
    receipt: { schema: "modelfactory.receipt/1", receiptId: r.receiptId, modelId: "1", answerHash: r.answerHash, question: "q", citations: [], createdAt: 0 },
    leaf: { receiptId: r.receiptId, modelId: r.modelId.toString(), answerHash: r.answerHash, contributionIds: r.contributionIds.map(String), weights: r.weights, detailsHash: r.detailsHash },
    status: proof ? "posted" : "pending",
    batchId: proof ? "1" : null,
    root: rootSeen,
    proof,
    transactionHash: null,
  };
}

describe("receipt verification in the browser", () => {
  it("rebuilds the on-chain receipt from the node's decimal strings", () => {
    expect(receiptOf(status(receipts[0]!, null))).toEqual(receipts[0]);
  });
  it("accepts a valid proof against the chain's root and checks the answer text", () => {
    const s = status(receipts[0]!, receiptProof(tree, h(1)));
    expect(verifyReceiptLocally(s, root, answer)).toEqual({ localProof: true, answerMatches: true, rootMatches: true });
    expect(verifyReceiptLocally(s, root, "a different answer").answerMatches).toBe(false);
  });
  it("rejects a tampered receipt, a wrong proof or another root", () => {
    const proof = receiptProof(tree, h(1));
    const tampered = status({ ...receipts[0]!, weights: [9000, 1000] }, proof);
    expect(verifyReceiptLocally(tampered, root).localProof).toBe(false);
    expect(verifyReceiptLocally(status(receipts[0]!, receiptProof(tree, h(2))), root).localProof).toBe(false);
    const other = buildReceiptTree([receipts[1]!]).root as Hex;
    const r = verifyReceiptLocally(status(receipts[0]!, proof), other);
    expect(r.localProof).toBe(false);
    expect(r.rootMatches).toBe(false);
  });
});
