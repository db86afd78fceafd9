// About 440 lines: one batch's life (journal, build, store, post, re-post, recover) is one state
// machine over one journal, kept together. Batches answer receipts on chain. A receipt is journaled before `add` resolves; a flush (at
// `maxReceipts`, after `maxDelayMs`, or on demand) groups pending receipts per model, builds the
// tree, stores the full documents in the content store, journals the prepared batch, then posts
// it. A prepared batch is re-posted with the same root and URI until it lands, so a crash or a
// failed post never loses a receipt, and `findPostedBatch` (when given) stops a batch whose
// transaction did land from being posted twice.
//
// Journal entries (receipts.jsonl in `dataDir`):
//   {"type":"receipt","document":ReceiptDocument}
//   {"type":"batch","modelId","root","receiptsURI","receiptIds":[…]}   prepared, not yet posted
//   {"type":"posted","root","batchId","transactionHash"}
import path from "node:path";
import {
  buildReceipt,
  canonicalJson,
  leafToJson,
  packCitations,
  RECEIPT_BATCH_SCHEMA,
  receiptLeafFromDocument,
  type BuildReceiptInput,
  type Receipt,
  type ReceiptBatchDocument,
  type ReceiptDocument,
  type ReceiptStatus,
} from "@modelfactory/sdk";
import type { Hex } from "viem";
import { BatcherClosedError, BatchPostError, InvalidReceiptError } from "./errors.ts";
import { Journal } from "./journal.ts";
import { buildReceiptBatch, receiptCitationCount, type ReceiptBatchTree } from "./merkle.ts";

/** Where batch documents go; the SDK's ContentStore (embedded or Kubo) satisfies it. */
export type ReceiptContentStore = { put(content: Uint8Array): Promise<{ toString(): string }> };

/** What `postBatch` is asked to send: the arguments of `AttributionLedger.postBatch`. */
export type PostBatchRequest = {
  modelId: bigint;
  root: Hex;
  receiptsURI: string;
  receiptCount: number;
  citations: Hex;
};

export type PostedBatch = { batchId: bigint; transactionHash: Hex };

export type { ReceiptBatchDocument } from "@modelfactory/sdk";

export type ReceiptBatcherOptions = {
  /** Folder for the journal; created when missing. */
  dataDir: string;
  contentStore: ReceiptContentStore;
  /** Sends the transaction and waits for it; throws when it did not land. */
  postBatch: (request: PostBatchRequest) => Promise<PostedBatch>;
  /**
   * Looks on chain for a batch with this root already posted (same model, this trainer), or
   * null. Asked before re-posting a batch whose earlier attempt may have landed.
   */
  findPostedBatch?: (request: PostBatchRequest) => Promise<PostedBatch | null>;
  /** Flush when this many receipts are pending. Default 256. */
  maxReceipts?: number;
  /** Flush this long after the oldest pending receipt arrived. Default 60 000 ms. */
  maxDelayMs?: number;
  /** Most citations per batch (the ledger takes 4096). Default 4096. */
  maxCitations?: number;
  /** Backoff after a failed flush: first delay and ceiling. Default 1 s, 5 min. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Failures of background flushes. Default: printed to stderr. */
  onError?: (error: BatchPostError) => void;
  /** Called after each batch lands. */
  onPosted?: (batch: PostedBatchInfo) => void;
};

export type PostedBatchInfo = PostedBatch & { modelId: bigint; root: Hex; receiptsURI: string; receiptIds: Hex[] };

export type FlushResult = { posted: PostedBatchInfo[] };

export type BatcherStats = {
  pending: number;
  prepared: number;
  posted: number;
  batches: number;
  failures: number;
  lastError: string | null;
};

type Entry =
  | { type: "receipt"; document: ReceiptDocument }
  | { type: "batch"; modelId: string; root: Hex; receiptsURI: string; receiptIds: Hex[] }
  | { type: "posted"; root: Hex; batchId: string; transactionHash: Hex };

type Held = { document: ReceiptDocument; leaf: Receipt; batch: Batch | null };

type Batch = {
  modelId: bigint;
  root: Hex;
  receiptsURI: string;
  receiptIds: Hex[];
  posted: PostedBatch | null;
  /** The tree, kept for the most recent batches (TREE_CACHE) and rebuilt on demand. */
  tree: ReceiptBatchTree | null;
  /** Set when this batch was prepared in an earlier run or a post failed: it may be on chain already. */
  uncertain: boolean;
};

const MAX_LEDGER_CITATIONS = 4096;
/** Batches whose trees stay in memory for proofs. */
const TREE_CACHE = 16;

export class ReceiptBatcher {
  readonly #o: Required<Omit<ReceiptBatcherOptions, "findPostedBatch" | "onPosted" | "retry">> &
    Pick<ReceiptBatcherOptions, "findPostedBatch" | "onPosted"> & { retryInitialMs: number; retryMaxMs: number };
  readonly #journal: Journal<Entry>;
  readonly #receipts = new Map<string, Held>();
  /** Pending receipts not yet in a batch, in arrival order. */
  #queue: Hex[] = [];
  readonly #batches = new Map<string, Batch>();
  #trees: Batch[] = [];
  #flushing: Promise<FlushResult> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;
  #totalFailures = 0;
  #lastError: string | null = null;
  #closed = false;

  private constructor(options: ReceiptBatcherOptions, journal: Journal<Entry>) {
    const maxCitations = options.maxCitations ?? MAX_LEDGER_CITATIONS;
    this.#o = {
      dataDir: options.dataDir,
      contentStore: options.contentStore,
      postBatch: options.postBatch,
      findPostedBatch: options.findPostedBatch,
      onPosted: options.onPosted,
      maxReceipts: options.maxReceipts ?? 256,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      maxCitations: Math.min(maxCitations, MAX_LEDGER_CITATIONS),
      retryInitialMs: options.retry?.initialMs ?? 1000,
      retryMaxMs: options.retry?.maxMs ?? 300_000,
      onError: options.onError ?? ((e) => console.error(`[receipts] ${e.message}`)),
    };
    this.#journal = journal;
  }

  /**
   * Opens the batcher on `dataDir`, replaying its journal. Receipts left pending by an earlier
   * run are flushed right away (in the background; failures go to `onError`).
   */
  static async open(options: ReceiptBatcherOptions): Promise<ReceiptBatcher> {
    const { journal, entries } = await Journal.open<Entry>(path.join(options.dataDir, "receipts.jsonl"));
    const batcher = new ReceiptBatcher(options, journal);
    batcher.#replay(entries);
    if (batcher.#queue.length || [...batcher.#batches.values()].some((b) => !b.posted)) batcher.#schedule(0);
    return batcher;
  }

  /** Builds a receipt for an answer and queues it; resolves once it is on disk. */
  async submit(input: BuildReceiptInput): Promise<{ document: ReceiptDocument; leaf: Receipt }> {
    const built = buildReceipt(input);
    await this.add(built.document);
    return built;
  }

  /** Queues a receipt document; resolves once it is on disk. Adding the same receipt twice is a no-op. */
  async add(document: ReceiptDocument): Promise<void> {
    if (this.#closed) throw new BatcherClosedError();
    const leaf = receiptLeafFromDocument(document);
    const cited = receiptCitationCount(leaf);
    if (cited > this.#o.maxCitations) {
      throw new InvalidReceiptError(
        `A receipt cites ${cited} contributions (retrieval and training); a batch holds at most ${this.#o.maxCitations}.`,
      );
    }
    // What the ledger would refuse (a list over 255 citations) is refused now, not when its batch posts.
    try {
      packCitations([leaf]);
    } catch (error) {
      throw new InvalidReceiptError(`Receipt ${document.receiptId} cannot be posted: ${(error as Error).message}`, { cause: error });
    }
    if (this.#receipts.has(document.receiptId)) return;
    // Journal first: a receipt the caller has been told about is never only in memory.
    await this.#journal.append({ type: "receipt", document });
    this.#receipts.set(document.receiptId, { document, leaf, batch: null });
    this.#queue.push(document.receiptId);
    if (this.#queue.length >= this.#o.maxReceipts) this.#schedule(0);
    else if (!this.#timer) this.#schedule(this.#o.maxDelayMs);
  }

  /** The receipt with its batch, root, proof and transaction once posted; null when unknown. */
  status(receiptId: Hex): ReceiptStatus | null {
    const held = this.#receipts.get(receiptId.toLowerCase()) ?? this.#receipts.get(receiptId);
    if (!held) return null;
    const batch = held.batch?.posted ? held.batch : null;
    return {
      receipt: held.document,
      leaf: leafToJson(held.leaf),
      status: batch ? "posted" : "pending",
      batchId: batch ? batch.posted!.batchId.toString() : null,
      root: batch ? batch.root : null,
      proof: batch ? this.#proof(batch, held.document.receiptId) : null,
      transactionHash: batch ? batch.posted!.transactionHash : null,
    };
  }

  /**
   * Posts everything pending now: batches prepared earlier first, then new ones. Resolves with
   * the batches posted; rejects with BatchPostError when any batch failed (after trying the
   * others): its receipts stay pending and a retry is scheduled with backoff.
   */
  flush(): Promise<FlushResult> {
    if (this.#closed) return Promise.reject(new BatcherClosedError());
    if (this.#flushing) {
      // One flush at a time; a caller arriving mid-flush gets a flush that includes its receipts.
      return this.#flushing.catch(() => undefined).then(() => this.flush());
    }
    this.#clearTimer();
    const run = this.#flushAll().finally(() => {
      this.#flushing = null;
    });
    this.#flushing = run;
    return run;
  }

  stats(): BatcherStats {
    let prepared = 0;
    let posted = 0;
    for (const held of this.#receipts.values()) {
      if (held.batch?.posted) posted++;
      else if (held.batch) prepared++;
    }
    return {
      pending: this.#queue.length + prepared,
      prepared,
      posted,
      batches: this.#batches.size,
      failures: this.#totalFailures,
      lastError: this.#lastError,
    };
  }

  /** Stops the timers and waits for a flush in progress; pending receipts stay in the journal. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    if (this.#flushing) await this.#flushing.catch(() => undefined);
    await this.#journal.close();
  }

  async #flushAll(): Promise<FlushResult> {
    const posted: PostedBatchInfo[] = [];
    const failures: unknown[] = [];
    // One failing batch (say, for a model the ledger refuses) must not hold back the others.
    const attempt = async (batch: Batch) => {
      try {
        posted.push(await this.#post(batch));
      } catch (e) {
        failures.push(e);
      }
    };
    for (const batch of [...this.#batches.values()]) if (!batch.posted) await attempt(batch);
    while (this.#queue.length) {
      let batch: Batch;
      try {
        batch = await this.#prepare();
      } catch (e) {
        failures.push(e);
        break;
      }
      await attempt(batch);
    }
    if (failures.length === 0) {
      this.#failures = 0;
      this.#lastError = null;
      return { posted };
    }
    const first = failures[0];
    const error =
      failures.length === 1 && first instanceof BatchPostError
        ? first
        : new BatchPostError(`${failures.length} receipt batch(es) could not be posted; their receipts stay pending.`, {
            cause: first,
            meta: { failures: failures.length, posted: posted.length },
          });
    this.#failures++;
    this.#totalFailures++;
    this.#lastError = error.message;
    if (!this.#closed) this.#schedule(Math.min(this.#o.retryMaxMs, this.#o.retryInitialMs * 2 ** (this.#failures - 1)));
    throw error;
  }

  /** Takes the oldest pending receipts of one model, within the size limits, and stores and journals the batch. */
  async #prepare(): Promise<Batch> {
    const first = this.#receipts.get(this.#queue[0]!)!;
    const modelId = first.leaf.modelId;
    const chosen: Held[] = [];
    let citations = 0;
    for (const id of this.#queue) {
      const held = this.#receipts.get(id)!;
      if (held.leaf.modelId !== modelId) continue;
      const n = receiptCitationCount(held.leaf);
      if (chosen.length >= this.#o.maxReceipts || citations + n > this.#o.maxCitations) break;
      chosen.push(held);
      citations += n;
    }
    const tree = buildReceiptBatch(chosen.map((h) => h.leaf));
    const doc: ReceiptBatchDocument = {
      schema: RECEIPT_BATCH_SCHEMA,
      modelId: modelId.toString(),
      root: tree.root,
      receipts: chosen.map((h) => h.document),
    };
    let receiptsURI: string;
    try {
      receiptsURI = `ipfs://${(await this.#o.contentStore.put(new TextEncoder().encode(canonicalJson(doc)))).toString()}`;
    } catch (cause) {
      throw new BatchPostError("Storing a receipt batch in the content store failed; its receipts stay pending.", {
        cause,
        meta: { root: tree.root },
      });
    }
    const receiptIds = chosen.map((h) => h.document.receiptId);
    await this.#journal.append({ type: "batch", modelId: doc.modelId, root: tree.root, receiptsURI, receiptIds });
    const batch: Batch = {
      modelId,
      root: tree.root,
      receiptsURI,
      receiptIds,
      posted: null,
      tree: null,
      uncertain: false,
    };
    this.#cacheTree(batch, tree);
    this.#batches.set(batch.root, batch);
    const inBatch = new Set(receiptIds);
    for (const h of chosen) h.batch = batch;
    this.#queue = this.#queue.filter((id) => !inBatch.has(id));
    return batch;
  }

  async #post(batch: Batch): Promise<PostedBatchInfo> {
    const receipts = batch.receiptIds.map((id) => this.#receipts.get(id)!.leaf);
    const request: PostBatchRequest = {
      modelId: batch.modelId,
      root: batch.root,
      receiptsURI: batch.receiptsURI,
      receiptCount: receipts.length,
      citations: batch.tree?.citations ?? packCitations(receipts),
    };
    let result: PostedBatch | null = null;
    try {
      if (batch.uncertain && this.#o.findPostedBatch) result = await this.#o.findPostedBatch(request);
      if (!result) {
        batch.uncertain = true;
        result = await this.#o.postBatch(request);
      }
    } catch (cause) {
      throw new BatchPostError(
        `Posting receipt batch ${batch.root} (${receipts.length} receipts) failed; it stays pending and will be retried.`,
        {
          cause,
          meta: { root: batch.root, modelId: batch.modelId.toString(), receipts: receipts.length },
        },
      );
    }
    await this.#journal.append({
      type: "posted",
      root: batch.root,
      batchId: result.batchId.toString(),
      transactionHash: result.transactionHash,
    });
    batch.posted = result;
    batch.uncertain = false;
    const info: PostedBatchInfo = {
      ...result,
      modelId: batch.modelId,
      root: batch.root,
      receiptsURI: batch.receiptsURI,
      receiptIds: batch.receiptIds,
    };
    this.#o.onPosted?.(info);
    return info;
  }

  #proof(batch: Batch, receiptId: Hex): Hex[] {
    const tree = batch.tree ?? this.#cacheTree(batch, buildReceiptBatch(batch.receiptIds.map((id) => this.#receipts.get(id)!.leaf)));
    return tree.proof(batch.receiptIds.indexOf(receiptId));
  }

  #cacheTree(batch: Batch, tree: ReceiptBatchTree): ReceiptBatchTree {
    batch.tree = tree;
    this.#trees.push(batch);
    if (this.#trees.length > TREE_CACHE) this.#trees.shift()!.tree = null;
    return tree;
  }

  #replay(entries: Entry[]): void {
    for (const e of entries) {
      if (e.type === "receipt") {
        if (this.#receipts.has(e.document.receiptId)) continue;
        this.#receipts.set(e.document.receiptId, { document: e.document, leaf: receiptLeafFromDocument(e.document), batch: null });
      } else if (e.type === "batch") {
        const batch: Batch = {
          modelId: BigInt(e.modelId),
          root: e.root,
          receiptsURI: e.receiptsURI,
          receiptIds: e.receiptIds,
          posted: null,
          tree: null,
          uncertain: true,
        };
        this.#batches.set(e.root, batch);
        for (const id of e.receiptIds) this.#receipts.get(id)!.batch = batch;
      } else if (e.type === "posted") {
        const batch = this.#batches.get(e.root);
        if (batch) {
          batch.posted = { batchId: BigInt(e.batchId), transactionHash: e.transactionHash };
          batch.uncertain = false;
        }
      }
    }
    for (const [id, held] of this.#receipts) if (!held.batch) this.#queue.push(id as Hex);
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush().catch((e: unknown) =>
        this.#o.onError(e instanceof BatchPostError ? e : new BatchPostError("Flushing receipts failed.", { cause: e })),
      );
    }, ms);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
