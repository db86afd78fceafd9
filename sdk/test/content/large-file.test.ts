// A file over 100 MiB goes in and out of the embedded store, and through the local API with
// the Kubo client, as a stream: resident memory must grow by far less than the file size.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ContentStore } from "../../src/content/index.ts";
import { createEmbeddedContentStore, createNodeKuboContentStore, type EmbeddedContentStore } from "../../src/content/node.ts";
import { startContentApi, type ContentApi } from "../../src/content-api/index.ts";
import { deterministicStream } from "./data.ts";

const SIZE = 128 * 1024 * 1024 + 12_345;
/** Well under the file size: holding the file would alone cost 128 MiB. */
const MAX_GROWTH = 80 * 1024 * 1024;

/** Runs `work` while sampling RSS; returns the peak growth over the starting RSS. */
async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
  globalThis.gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage.rss()) - start;
}

async function roundTrip(store: ContentStore): Promise<{ growth: number; expected: string; actual: string }> {
  let expected = "";
  let actual = "";
  const growth = await peakRssGrowth(async () => {
    const sent = createHash("sha256");
    const cid = await store.put(
      (async function* () {
        for await (const chunk of deterministicStream(SIZE)) {
          sent.update(chunk);
          yield chunk;
        }
      })(),
    );
    expected = sent.digest("hex");
    const received = createHash("sha256");
    let length = 0;
    for await (const chunk of store.get(cid)) {
      received.update(chunk);
      length += chunk.length;
    }
    assert.equal(length, SIZE);
    actual = received.digest("hex");
  });
  return { growth, expected, actual };
}

describe(`large file (${(SIZE / 2 ** 20).toFixed(1)} MiB) streamed`, { timeout: 240_000 }, () => {
  let directory: string;
  let store: EmbeddedContentStore;
  let api: ContentApi;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "mf-large-"));
    store = await createEmbeddedContentStore({ directory });
    api = await startContentApi({ store, port: 0, maxRequestBytes: 2 * SIZE });
  });
  after(async () => {
    await api.close();
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("through the embedded store without holding it in memory", async (t) => {
    const { growth, expected, actual } = await roundTrip(store);
    assert.equal(actual, expected);
    t.diagnostic(`peak RSS growth ${(growth / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(growth < MAX_GROWTH, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
  });

  it("through the local API with the Node Kubo backend, verified on both ends", async (t) => {
    const { growth, expected, actual } = await roundTrip(createNodeKuboContentStore({ url: api.url }));
    assert.equal(actual, expected);
    t.diagnostic(`peak RSS growth ${(growth / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(growth < MAX_GROWTH, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
  });
});
