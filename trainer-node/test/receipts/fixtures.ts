// Shared helpers for the receipt tests: citations, a temporary embedded content store and an
// in-memory stand-in for the ledger (used where a test must make posting fail or hang; the
// real chain is exercised in chain.test.ts).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { keccak256, stringToBytes, type Hex } from "viem";
import { EmbeddedContentStore } from "../../../sdk/src/content/embedded.ts";
import type { PostBatchRequest, PostedBatch } from "../../src/receipts/batcher.ts";

/** The SDK's example citation. */
export { exampleCitation as citation } from "../../../sdk/test/fixtures/receipts.ts";

/** A temporary folder with an embedded content store in it; `cleanup` removes both. */
export async function tempStore(): Promise<{ dir: string; store: EmbeddedContentStore; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mf-receipts-"));
  const store = await EmbeddedContentStore.open({ directory: path.join(dir, "content") });
  return {
    dir,
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Records posts like the ledger does (ids from 1), and can fail or hang on demand. */
export class FakeLedger {
  posts: PostBatchRequest[] = [];
  failNext = 0;
  hang = false;
  /** Models the ledger refuses, as it does an unknown model. */
  rejectModels = new Set<bigint>();

  postBatch = async (r: PostBatchRequest): Promise<PostedBatch> => {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("nonce too low");
    }
    if (this.rejectModels.has(r.modelId)) throw new Error(`UnknownModel(${r.modelId})`);
    this.posts.push(r);
    if (this.hang) return new Promise<PostedBatch>(() => {});
    return this.#result(this.posts.length, r.root);
  };

  findPostedBatch = async (r: PostBatchRequest): Promise<PostedBatch | null> => {
    const i = this.posts.findIndex((p) => p.root === r.root);
    return i < 0 ? null : this.#result(i + 1, r.root);
  };

  #result(batchId: number, root: Hex): PostedBatch {
    return { batchId: BigInt(batchId), transactionHash: keccak256(stringToBytes(`tx${root}`)) };
  }
}

/** Resolves when `check` holds, polling; rejects after `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}
