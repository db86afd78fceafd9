// Receipts with both lists: the retrieval citations and the training influences, each committed
// in the leaf with its own 10,000 bp budget; and receipt/2 documents of batches already on
// chain, which must keep parsing and verifying with the same code.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Hex } from "viem";
import {
  buildReceipt,
  InvalidReceiptError,
  parseReceiptDocument,
  publicTrainingInfluence,
  receiptLeafFromDocument,
  type ReceiptDocument,
} from "../../src/protocol/receipt-document.ts";
import { leafDifferences, leafFromJson, leafToJson, type ReceiptLeafJson } from "../../src/protocol/receipt-leaf-json.ts";
import { buildReceiptTree, packCitations, receiptLeaf, unpackReceiptGroups, verifyReceipt } from "../../src/protocol/receipt.ts";
import type { TrainingInfluence } from "../../src/protocol/training-influence.ts";
import { exampleCitation } from "../fixtures/receipts.ts";

function influence(contributionId: string, weight: number, rank = 1, score = 0.71): TrainingInfluence {
  return {
    contributionId,
    datanetId: "2",
    contributor: "0x00000000000000000000000000000000000000c2",
    timestamp: 1_700_000_100,
    transactionHash: `0x${"cd".repeat(32)}`,
    contentId: "bafytrain",
    metadataURI: "ipfs://t",
    rank,
    score,
    weight,
    reason: "training on this contribution moved the model strongly toward this answer",
  };
}

const base = { modelId: 3n, question: "What does LoRA add?", answer: "LoRA adds small adapters." };

describe("receipts with training influences", () => {
  it("commits to both lists, each summed per contribution with its own budget", () => {
    const { document, leaf } = buildReceipt({
      ...base,
      citations: [exampleCitation("5", 6000), exampleCitation("9", 4000, 2)],
      trainingInfluences: [influence("9", 7000), influence("12", 2000, 2), influence("9", 1000, 3)],
    });
    assert.equal(document.schema, "modelfactory.receipt/3");
    assert.deepEqual(
      document.trainingInfluences!.map((t) => t.contributionId),
      ["9", "12", "9"],
    );
    // Contribution 9 is in both lists; each list has spent its whole 10,000 bp.
    assert.deepEqual(
      [leaf.contributionIds, leaf.weights],
      [
        [5n, 9n],
        [6000, 4000],
      ],
    );
    assert.deepEqual(
      [leaf.trainingContributionIds, leaf.trainingWeights],
      [
        [9n, 12n],
        [8000, 2000],
      ],
    );
    assert.deepEqual(receiptLeafFromDocument(parseReceiptDocument(JSON.parse(JSON.stringify(document)))), leaf);
    assert.deepEqual(leafFromJson(leafToJson(leaf)), leaf);
    // The packed group says which list each weight is in.
    assert.deepEqual(
      unpackReceiptGroups(packCitations([leaf]))[0]!.citations.map((c) => `${c.kind}:${c.contributionId}:${c.weight}`),
      ["retrieval:5:6000", "retrieval:9:4000", "training:9:8000", "training:12:2000"],
    );
    // A changed influence changes the leaf, in the field it touches.
    const other = buildReceipt({
      ...base,
      citations: [exampleCitation("5", 6000), exampleCitation("9", 4000, 2)],
      trainingInfluences: [influence("9", 7001), influence("12", 2000, 2)],
    });
    assert.ok(leafDifferences(other.leaf, leaf).includes("trainingWeights"));
  });

  it("publishes only the influence's own fields and refuses bad ones by name", () => {
    const leaky = { ...influence("4", 100), passage: { text: "secret permissioned text" }, text: "secret" } as TrainingInfluence;
    const { document } = buildReceipt({ ...base, citations: [], trainingInfluences: [leaky] });
    assert.ok(!JSON.stringify(document).includes("secret"), "nothing beyond the influence's fields is published");
    assert.deepEqual(document.trainingInfluences![0], publicTrainingInfluence(influence("4", 100)));
    const cases: [Partial<TrainingInfluence> & Record<string, unknown>, RegExp][] = [
      [{ weight: 10_001 }, /"trainingInfluences\[0\].weight" must be whole basis points from 0 to 10000/],
      [{ weight: 1.5 }, /"trainingInfluences\[0\].weight"/],
      [{ score: 1.2 }, /"trainingInfluences\[0\].score" must be a cosine between -1 and 1/],
      [{ score: Number.NaN }, /"trainingInfluences\[0\].score"/],
      [{ rank: 0 }, /"trainingInfluences\[0\].rank"/],
      [{ contributionId: "x" }, /trainingInfluences\[0\].contributionId must be a non-negative decimal/],
      [{ contributor: "0x12" }, /"trainingInfluences\[0\].contributor" must be a 20-byte address/],
      [{ reason: undefined }, /"trainingInfluences\[0\].reason" must be a string/],
    ];
    for (const [patch, message] of cases) {
      assert.throws(
        () => buildReceipt({ ...base, citations: [], trainingInfluences: [{ ...influence("4", 100), ...patch } as TrainingInfluence] }),
        (e: unknown) => e instanceof InvalidReceiptError && message.test(e.message),
        String(message),
      );
    }
    assert.throws(
      () => buildReceipt({ ...base, citations: [], trainingInfluences: [influence("4", 6000), influence("5", 4001, 2)] }),
      /Training influence weights sum to 10001, above 10000/,
    );
    assert.throws(() => buildReceipt({ ...base, citations: [], trainingInfluences: [influence("0", 1)] }), /48-bit/);
    // The retrieval budget is separate: 10,000 in each list passes.
    assert.doesNotThrow(() =>
      buildReceipt({ ...base, citations: [exampleCitation("1", 10_000)], trainingInfluences: [influence("2", 10_000)] }),
    );
  });

  it("reads untrusted /3 documents strictly", () => {
    const { document } = buildReceipt({ ...base, citations: [], trainingInfluences: [influence("4", 100)] });
    const cases: [unknown, RegExp][] = [
      [{ ...document, trainingInfluences: undefined }, /"receipt.trainingInfluences" must be an array/],
      [
        { ...document, trainingInfluences: [{ ...document.trainingInfluences![0], text: "x" }] },
        /"receipt.trainingInfluences\[0\].text" is not a field of a training influence/,
      ],
      [
        { ...document, trainingInfluences: [{ ...document.trainingInfluences![0], weight: -1 }] },
        /"receipt.trainingInfluences\[0\].weight"/,
      ],
      [
        { ...document, schema: "modelfactory.receipt/2" },
        /"receipt.trainingInfluences" must not be in a "modelfactory.receipt\/2" document/,
      ],
    ];
    for (const [raw, message] of cases)
      assert.throws(
        () => parseReceiptDocument(JSON.parse(JSON.stringify(raw))),
        (e: unknown) => e instanceof InvalidReceiptError && message.test(e.message),
        String(message),
      );
  });
});

describe("receipt/2 documents already on chain", () => {
  type Fixture = { root: Hex; receipts: { document: ReceiptDocument; leaf: ReceiptLeafJson; proof: Hex[] }[] };
  const fixture = JSON.parse(readFileSync(new URL("./receipt-v2-batch.fixture.json", import.meta.url), "utf8")) as Fixture;

  it("parse, give the leaves the receipt/2 SDK committed, and verify under its root", () => {
    for (const { document, leaf, proof } of fixture.receipts) {
      assert.equal(document.schema, "modelfactory.receipt/2");
      const recomputed = receiptLeafFromDocument(parseReceiptDocument(document));
      // The old node's leaf JSON has no training lists: they read as empty, the leaf it committed.
      assert.equal("trainingContributionIds" in leaf, false);
      assert.deepEqual(leafDifferences(recomputed, leafFromJson(leaf)), []);
      assert.equal(verifyReceipt(fixture.root, recomputed, proof), true);
    }
    assert.equal(buildReceiptTree(fixture.receipts.map((r) => receiptLeafFromDocument(r.document))).root, fixture.root);
    // Adding an influence to an old leaf is a different leaf: it does not verify.
    const first = receiptLeafFromDocument(fixture.receipts[0]!.document);
    assert.equal(
      verifyReceipt(fixture.root, { ...first, trainingContributionIds: [1n], trainingWeights: [1] }, fixture.receipts[0]!.proof),
      false,
    );
    assert.notEqual(receiptLeaf({ ...first, trainingContributionIds: [1n], trainingWeights: [0] }), receiptLeaf(first));
  });
});
