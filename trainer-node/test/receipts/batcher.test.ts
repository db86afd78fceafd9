import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { leafFromJson, receiptLeafFromDocument, unpackCitations, verifyReceipt, type TrainingInfluence } from "@modelfactory/sdk";
import type { Hex } from "viem";
import { readContent } from "../../../sdk/src/content/store.ts";
import { ReceiptBatcher, type ReceiptBatchDocument } from "../../src/receipts/batcher.ts";
import { BatchPostError, ReceiptJournalError } from "../../src/receipts/errors.ts";
import { citation, FakeLedger, tempStore, until } from "./fixtures.ts";

const answer = (i: number) => ({
  modelId: 1n,
  question: `question ${i}`,
  answer: `answer ${i}`,
  citations: [citation(String(i + 1), 7000), citation("99", 2000, 2)],
});

describe("ReceiptBatcher", () => {
  it("flushes at the count, stores the batch document and returns verifiable proofs", async () => {
    const { dir, store, cleanup } = await tempStore();
    const ledger = new FakeLedger();
    const batcher = await ReceiptBatcher.open({ dataDir: dir, contentStore: store, ...ledger, maxReceipts: 3, maxDelayMs: 60_000 });
    const built = [];
    for (let i = 0; i < 3; i++) built.push(await batcher.submit(answer(i)));
    await until(() => batcher.stats().posted === 3);
    assert.equal(ledger.posts.length, 1);
    const post = ledger.posts[0]!;
    assert.equal(post.receiptCount, 3);
    assert.deepEqual(
      unpackCitations(post.citations).map((c) => c.contributionId),
      [1n, 99n, 2n, 99n, 3n, 99n],
    );
    for (const { document, leaf } of built) {
      const s = batcher.status(document.receiptId)!;
      assert.equal(s.status, "posted");
      assert.equal(s.batchId, "1");
      assert.equal(s.root, post.root);
      assert.deepEqual(leafFromJson(s.leaf), leaf);
      assert.equal(verifyReceipt(s.root!, leaf, s.proof!), true);
    }
    // Anyone can fetch the batch document and re-derive every leaf from it.
    const doc = JSON.parse(
      new TextDecoder().decode(await readContent(store, post.receiptsURI.replace("ipfs://", ""))),
    ) as ReceiptBatchDocument;
    assert.equal(doc.root, post.root);
    assert.deepEqual(
      doc.receipts.map((r) => receiptLeafFromDocument(r)),
      built.map((b) => b.leaf),
    );
    assert.equal(batcher.status(`0x${"00".repeat(32)}`), null);
    await batcher.close();
    await cleanup();
  });

  it("flushes after the delay, splits by model and by citation budget", async () => {
    const { dir, store, cleanup } = await tempStore();
    const ledger = new FakeLedger();
    const batcher = await ReceiptBatcher.open({
      dataDir: dir,
      contentStore: store,
      ...ledger,
      maxReceipts: 100,
      maxDelayMs: 30,
      maxCitations: 4,
    });
    await batcher.submit(answer(0));
    await batcher.submit({ ...answer(1), modelId: 2n });
    await batcher.submit(answer(2));
    await batcher.submit(answer(3));
    await until(() => batcher.stats().posted === 4);
    // Model 1: receipts 0 and 2 (4 citations), then 3; model 2 alone.
    assert.deepEqual(
      ledger.posts.map((p) => [p.modelId, p.receiptCount]),
      [
        [1n, 2],
        [2n, 1],
        [1n, 1],
      ],
    );
    await batcher.close();
    await cleanup();
  });

  it("counts training influences in the citation budget, packs them as training and refuses a list the ledger would refuse", async () => {
    const { dir, store, cleanup } = await tempStore();
    const ledger = new FakeLedger();
    const batcher = await ReceiptBatcher.open({
      dataDir: dir,
      contentStore: store,
      ...ledger,
      maxReceipts: 100,
      maxDelayMs: 30,
      maxCitations: 5,
    });
    const influence = (contributionId: string, weight: number, rank: number): TrainingInfluence => {
      const {
        contributionId: _c,
        datanetId,
        contributor,
        timestamp,
        transactionHash,
        contentId,
        metadataURI,
      } = citation(contributionId, 0);
      return {
        contributionId,
        datanetId,
        contributor,
        timestamp,
        transactionHash,
        contentId,
        metadataURI,
        rank,
        score: 0.5,
        weight,
        reason: "training on this contribution moved the model toward this answer",
      };
    };
    const withInfluences = (i: number, ids: string[], weight = (k: number) => 1000 * (k + 1)) => ({
      ...answer(i),
      trainingInfluences: ids.map((id, k) => influence(id, weight(k), k + 1)),
    });
    await batcher.submit(withInfluences(0, ["7", "8"])); // 2 + 2 citations
    await batcher.submit(withInfluences(1, ["7"])); // 2 + 1: over the 5 of the first batch
    await until(() => batcher.stats().posted === 2);
    assert.deepEqual(
      ledger.posts.map((p) => p.receiptCount),
      [1, 1],
    );
    assert.deepEqual(
      unpackCitations(ledger.posts[0]!.citations).map((c) => `${c.kind}:${c.contributionId}:${c.weight}`),
      ["retrieval:1:7000", "retrieval:99:2000", "training:7:1000", "training:8:2000"],
    );
    await assert.rejects(
      batcher.submit(withInfluences(2, ["1", "2", "3", "4"])),
      /cites 6 contributions \(retrieval and training\); a batch holds at most 5/,
    );
    await batcher.close();
    const wide = await ReceiptBatcher.open({ dataDir: dir, contentStore: store, ...ledger, maxReceipts: 100, maxDelayMs: 30 });
    const many = Array.from({ length: 256 }, (_, k) => String(k + 1));
    await assert.rejects(wide.submit(withInfluences(3, many, () => 0)), /256 training citations; at most 255 fit a group/);
    await wide.close();
    await cleanup();
  });

  it("keeps receipts pending when a post fails, reports the error and retries with backoff", async () => {
    const { dir, store, cleanup } = await tempStore();
    const ledger = new FakeLedger();
    const errors: BatchPostError[] = [];
    const batcher = await ReceiptBatcher.open({
      dataDir: dir,
      contentStore: store,
      ...ledger,
      maxReceipts: 100,
      maxDelayMs: 60_000,
      retry: { initialMs: 20, maxMs: 40 },
      onError: (e) => errors.push(e),
    });
    const { document } = await batcher.submit(answer(0));
    ledger.failNext = 3;
    await assert.rejects(
      batcher.flush(),
      (e: unknown) =>
        e instanceof BatchPostError && e.code === "RECEIPT_BATCH_POST_FAILED" && /nonce too low/.test(String((e.cause as Error).message)),
    );
    assert.equal(batcher.status(document.receiptId)!.status, "pending");
    assert.equal(batcher.status(document.receiptId)!.proof, null);
    await until(() => batcher.stats().posted === 1);
    assert.equal(errors.length, 2, "the two background retries that failed were reported");
    assert.equal(ledger.posts.length, 1);
    assert.equal(batcher.status(document.receiptId)!.status, "posted");
    assert.equal(batcher.stats().failures, 3);
    await batcher.close();
    await cleanup();
  });

  it("does not let a batch the ledger refuses hold back the others", async () => {
    const { dir, store, cleanup } = await tempStore();
    const ledger = new FakeLedger();
    ledger.rejectModels.add(2n);
    const errors: BatchPostError[] = [];
    const batcher = await ReceiptBatcher.open({
      dataDir: dir,
      contentStore: store,
      ...ledger,
      maxDelayMs: 3_600_000,
      retry: { initialMs: 3_600_000 },
      onError: (e) => errors.push(e),
    });
    const bad = await batcher.submit({ ...answer(0), modelId: 2n });
    const good = await batcher.submit(answer(1));
    await assert.rejects(
      batcher.flush(),
      (e: unknown) => e instanceof BatchPostError && /UnknownModel\(2\)/.test((e.cause as Error).message),
    );
    assert.equal(batcher.status(good.document.receiptId)!.status, "posted");
    assert.equal(batcher.status(bad.document.receiptId)!.status, "pending");
    assert.equal(batcher.stats().pending, 1);
    assert.match(batcher.stats().lastError!, /stays pending/);
    await batcher.close();
    await assert.rejects(batcher.flush(), (e: unknown) => (e as { code?: string }).code === "RECEIPT_BATCHER_CLOSED");
    await cleanup();
  });

  it("re-posts pending receipts exactly once after a restart", async () => {
    const { dir, store, cleanup } = await tempStore();
    const ledger = new FakeLedger();
    const opts = { dataDir: dir, contentStore: store, ...ledger, maxReceipts: 100, maxDelayMs: 3_600_000 };
    const first = await ReceiptBatcher.open(opts);
    const ids: Hex[] = [];
    for (let i = 0; i < 3; i++) ids.push((await first.submit(answer(i))).document.receiptId);
    await first.close(); // as good as a crash: nothing was posted, everything is journaled
    assert.equal(ledger.posts.length, 0);

    const second = await ReceiptBatcher.open(opts);
    await until(() => second.stats().posted === 3);
    assert.equal(ledger.posts.length, 1);
    assert.equal(ledger.posts[0]!.receiptCount, 3);
    await second.close();

    const third = await ReceiptBatcher.open(opts);
    for (const id of ids) assert.equal(third.status(id)!.batchId, "1");
    assert.deepEqual(await third.flush(), { posted: [] });
    assert.equal(ledger.posts.length, 1);
    const s = third.status(ids[1]!)!;
    assert.equal(verifyReceipt(s.root!, leafFromJson(s.leaf), s.proof!), true, "proofs are rebuilt after a restart");
    await third.close();
    await cleanup();
  });

  it("does not post twice a batch that landed just before a crash", async () => {
    const { dir, store, cleanup } = await tempStore();
    const ledger = new FakeLedger();
    const opts = { dataDir: dir, contentStore: store, ...ledger, maxReceipts: 100, maxDelayMs: 3_600_000 };
    const first = await ReceiptBatcher.open(opts);
    const { document } = await first.submit(answer(0));
    ledger.hang = true; // the transaction lands, the node dies before journaling it
    void first.flush();
    await until(() => ledger.posts.length === 1);
    ledger.hang = false;

    const second = await ReceiptBatcher.open(opts);
    await until(() => second.stats().posted === 1);
    assert.equal(ledger.posts.length, 1);
    assert.equal(second.status(document.receiptId)!.batchId, "1");
    await second.close();
    await cleanup();
  });

  it("cuts a torn journal tail and refuses a damaged journal", async () => {
    const { dir, store, cleanup } = await tempStore();
    const ledger = new FakeLedger();
    const opts = { dataDir: dir, contentStore: store, ...ledger, maxReceipts: 100, maxDelayMs: 3_600_000 };
    const first = await ReceiptBatcher.open(opts);
    const { document } = await first.submit(answer(0));
    await first.close();
    const file = path.join(dir, "receipts.jsonl");
    await appendFile(file, '{"type":"receipt","docu');
    const second = await ReceiptBatcher.open(opts);
    assert.equal(second.status(document.receiptId)!.status, "pending");
    await second.submit(answer(1));
    await second.close();
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    assert.equal(lines.map((l) => JSON.parse(l) as { type: string }).filter((e) => e.type === "receipt").length, 2);
    await writeFile(file, `${lines[0]}\nnot json\n${lines.slice(1).join("\n")}\n`);
    await assert.rejects(ReceiptBatcher.open(opts), ReceiptJournalError);
    await cleanup();
  });
});
