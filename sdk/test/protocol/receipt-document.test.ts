// The receipt document, its canonical JSON and the leaf it commits to: the one implementation
// the trainer node builds receipts with and the GUI verifies them with.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keccak256, stringToBytes } from "viem";
import { InvalidInputError } from "../../src/errors.ts";
import { canonicalJson, canonicalJsonHash } from "../../src/protocol/canonical-json.ts";
import {
  buildReceipt,
  InvalidReceiptError,
  parseReceiptBatchDocument,
  parseReceiptDocument,
  receiptDetailsHash,
  privatePartMismatches,
  publicCitation,
  hashText,
  receiptLeafFromDocument,
} from "../../src/protocol/receipt-document.ts";
import { leafDifferences, leafFromJson, leafToJson } from "../../src/protocol/receipt-leaf-json.ts";
import { buildReceiptTree, hashAnswer, verifyReceipt } from "../../src/protocol/receipt.ts";
import { exampleCitation } from "../fixtures/receipts.ts";

const citation = exampleCitation;

describe("canonical JSON", () => {
  it("sorts keys, has no spaces and round-trips through JSON.parse", () => {
    const value = { b: [1, "x", { d: 1.5, c: null }], a: 'é\u2028"', e: undefined, z: -0, y: true };
    const s = canonicalJson(value);
    assert.equal(s, '{"a":"é\u2028\\"","b":[1,"x",{"c":null,"d":1.5}],"y":true,"z":0}');
    assert.equal(canonicalJson(JSON.parse(s)), s);
    assert.equal(canonicalJsonHash(value), keccak256(stringToBytes(s)));
  });

  it("refuses values JSON cannot carry faithfully", () => {
    for (const bad of [{ n: NaN }, { n: Infinity }, { b: 1n }, [undefined], { d: new Date(0) }, () => 1]) {
      assert.throws(
        () => canonicalJson(bad),
        (e: unknown) => e instanceof InvalidInputError && e.code === "CANONICAL_JSON_INVALID",
      );
    }
  });
});

describe("receipts", () => {
  it("builds a document whose leaf commits to it and verifies with the SDK", () => {
    const answer = "LoRA adds small adapters.";
    const built = [0, 1, 2].map((i) =>
      buildReceipt({
        modelId: 3n,
        question: `q${i}`,
        answer,
        citations: [citation("5", 6000), citation("9", 3999, 2), citation("5", 1, 3)],
      }),
    );
    const { document, leaf } = built[0]!;
    assert.equal(document.schema, "modelfactory.receipt/3");
    assert.deepEqual(document.trainingInfluences, [], "no influences given: an empty list");
    assert.deepEqual([leaf.trainingContributionIds, leaf.trainingWeights], [[], []]);
    assert.equal(document.answerHash, hashAnswer(answer));
    assert.equal(document.questionHash, hashText("q0"));
    assert.equal(document.modelId, "3");
    assert.match(document.receiptId, /^0x[0-9a-f]{64}$/);
    assert.notEqual(built[1]!.document.receiptId, document.receiptId);
    // Citations of the same contribution are summed in the leaf.
    assert.deepEqual(leaf.contributionIds, [5n, 9n]);
    assert.deepEqual(leaf.weights, [6001, 3999]);
    assert.equal(leaf.detailsHash, keccak256(stringToBytes(canonicalJson(document))));
    // A verifier re-derives the leaf from the stored JSON alone.
    assert.deepEqual(receiptLeafFromDocument(JSON.parse(JSON.stringify(document))), leaf);
    assert.deepEqual(leafFromJson(leafToJson(leaf)), leaf);

    const batch = buildReceiptTree(built.map((b) => b.leaf));
    built.forEach((b, i) => assert.equal(verifyReceipt(batch.root, b.leaf, batch.getProof(i)), true));
    // Any edit of the document changes the details hash, so the leaf no longer verifies.
    const edited = { ...document, citations: document.citations.map((c) => ({ ...c, reason: "edited" })) };
    const forged = { ...leaf, detailsHash: receiptDetailsHash(edited) };
    assert.equal(verifyReceipt(batch.root, forged, batch.getProof(0)), false);
    assert.deepEqual(leafDifferences(receiptLeafFromDocument(edited), leaf), ["detailsHash"]);
  });

  it("publishes no text: the public document holds hashes, the asker's private part the texts", () => {
    const question = "What does LoRA add?";
    const answer = "LoRA adds small adapters.";
    const { document, privatePart } = buildReceipt({
      modelId: 1n,
      question,
      answer,
      citations: [citation("5", 6000), citation("9", 4000, 2)],
    });
    const json = JSON.stringify(document);
    for (const text of [question, answer, "LoRA adds low-rank adapters.", "(lora)"])
      assert.ok(!json.includes(text), `the public receipt holds ${JSON.stringify(text)}`);
    assert.deepEqual(
      document.citations.map((c) => c.passageHash),
      [hashText("LoRA adds low-rank adapters."), hashText("LoRA adds low-rank adapters.")],
    );
    assert.equal(document.citations[0]!.reason, "Shares 1 term with the question; BM25 score 7.20, rank 1 of 1.");
    assert.deepEqual(privatePart, {
      schema: "modelfactory.receipt-private/1",
      receiptId: document.receiptId,
      question,
      answer,
      passages: ["LoRA adds low-rank adapters.", "LoRA adds low-rank adapters."],
    });
    // The asker proves their texts match; anything else does not.
    assert.deepEqual(privatePartMismatches(document, privatePart), []);
    assert.deepEqual(
      privatePartMismatches(document, { ...privatePart, question: "What does QLoRA add?", passages: ["x", privatePart.passages[1]!] }),
      ["question", "passage of citation 1"],
    );
    assert.deepEqual(privatePartMismatches(document, { ...privatePart, passages: [] }), ["passages (0 given, 2 cited)"]);
    assert.deepEqual(publicCitation(citation("5", 6000)), document.citations[0]);
  });

  it("is deterministic given nonce and time", () => {
    const input = { modelId: "1", question: "q", answer: "a", citations: [], createdAt: 5, nonce: `0x${"00".repeat(32)}` as const };
    assert.deepEqual(buildReceipt(input), buildReceipt(input));
  });

  it("refuses receipts the ledger could not take", () => {
    const base = { modelId: 1n, question: "q", answer: "a" };
    assert.throws(() => buildReceipt({ ...base, citations: [citation("1", 6000), citation("2", 4001)] }), /sum to 10001/);
    assert.throws(() => buildReceipt({ ...base, citations: [citation("0", 1)] }), /48-bit/);
    assert.throws(() => buildReceipt({ ...base, citations: [citation(String(1n << 48n), 1)] }), /48-bit/);
    assert.throws(() => buildReceipt({ ...base, citations: [citation("1", 1.5)] }), InvalidReceiptError);
    assert.throws(
      () => buildReceipt({ ...base, modelId: "-1", citations: [] }),
      (e: unknown) => e instanceof InvalidReceiptError && e.code === "RECEIPT_INVALID",
    );
  });
});

describe("reading untrusted receipt documents", () => {
  const { document } = buildReceipt({
    modelId: 2n,
    question: "q",
    answer: "a",
    citations: [citation("4", 5000)],
    createdAt: 1,
    nonce: `0x${"11".repeat(32)}`,
  });

  it("accepts a document as built and a batch of them", () => {
    assert.deepEqual(parseReceiptDocument(JSON.parse(JSON.stringify(document))), document);
    const batch = { schema: "modelfactory.receipts/1", modelId: "2", root: `0x${"22".repeat(32)}`, receipts: [document] };
    assert.deepEqual(parseReceiptBatchDocument(batch), batch);
  });

  it("names the first bad field", () => {
    const cases: [unknown, RegExp][] = [
      [null, /"receipt" must be a JSON object/],
      [{ ...document, schema: "x" }, /"receipt.schema"/],
      [{ ...document, receiptId: "0x12" }, /"receipt.receiptId" must be 32 bytes/],
      [{ ...document, citations: [{ ...document.citations[0], weight: "1" }] }, /"receipt.citations\[0\].weight" must be a number/],
      [{ ...document, citations: [{ ...document.citations[0], passage: null }] }, /"receipt.citations\[0\].passage" must be a JSON object/],
      [
        { ...document, citations: [{ ...document.citations[0], passage: { text: "x", start: 0, end: 1 } }] },
        /"receipt.citations\[0\].passage.text" must not be in a public receipt/,
      ],
      [{ ...document, question: "q" }, /"receipt.question" must not be in a public receipt/],
      [{ ...document, modelId: 2 }, /modelId must be a non-negative decimal/],
    ];
    for (const [raw, message] of cases)
      assert.throws(
        () => parseReceiptDocument(raw),
        (e: unknown) => e instanceof InvalidReceiptError && message.test(e.message),
      );
    assert.throws(
      () => parseReceiptBatchDocument({ schema: "modelfactory.receipts/1", modelId: "2", root: `0x${"22".repeat(32)}`, receipts: [] }),
      /"batch.receipts" must be a non-empty array/,
    );
  });
});
