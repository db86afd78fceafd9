// The embedded store against a real folder: round trips, persistence across reopen, typed
// failures for missing and corrupted content, pins.

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { computeCid, ContentIntegrityError, ContentNotFoundError, InvalidCidError, readContent } from "../../src/content/index.ts";
import { createEmbeddedContentStore, type EmbeddedContentStore } from "../../src/content/node.ts";
import { deterministicBytes } from "./data.ts";
import { DERIVED_VECTORS } from "./vectors.ts";

describe("embedded content store", () => {
  let directory: string;
  let store: EmbeddedContentStore;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "mf-embedded-"));
    store = await createEmbeddedContentStore({ directory });
  });
  after(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("round-trips bytes, streams and the empty file with Kubo's CIDs", async () => {
    const data = deterministicBytes(1_048_577);
    const cid = await store.put(data);
    assert.equal(cid.toString(), DERIVED_VECTORS[3]!.cid);
    assert.deepEqual(await readContent(store, cid), data);
    const streamed = await store.put(
      (async function* () {
        yield data.subarray(0, 100);
        yield data.subarray(100);
      })(),
    );
    assert.equal(streamed.toString(), cid.toString());
    const empty = await store.put(new Uint8Array());
    assert.equal(empty.toString(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    assert.deepEqual(await readContent(store, empty), new Uint8Array());
  });

  it("reads a range and accepts CID strings and /ipfs/ paths", async () => {
    const data = deterministicBytes(600_000, 7);
    const cid = await store.put(data);
    const chunks: Uint8Array[] = [];
    for await (const chunk of store.get(`/ipfs/${cid}`, { offset: 262_000, length: 1000 })) chunks.push(chunk);
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(data.subarray(262_000, 263_000)));
  });

  it("persists across reopening the folder", async () => {
    const data = new TextEncoder().encode("kept on disk");
    const cid = await store.put(data);
    const reopened = await createEmbeddedContentStore({ directory });
    assert.deepEqual(await readContent(reopened, cid.toString()), data);
    assert.equal(await reopened.isPinned(cid), true);
    await reopened.close();
  });

  it("fails fast with ContentNotFoundError for a CID it does not hold", async () => {
    const missing = await computeCid(new TextEncoder().encode("never stored"));
    const started = performance.now();
    await assert.rejects(readContent(store, missing), (error) => {
      assert.ok(error instanceof ContentNotFoundError);
      assert.equal(error.code, "CONTENT_NOT_FOUND");
      assert.equal(error.meta.cid, missing.toString());
      return true;
    });
    assert.ok(performance.now() - started < 1000);
    assert.equal(await store.has(missing), false);
    await assert.rejects(store.pin(missing), ContentNotFoundError);
  });

  it("rejects malformed CIDs with InvalidCidError", async () => {
    await assert.rejects(
      readContent(store, "not-a-cid"),
      (error) => error instanceof InvalidCidError && error.code === "CONTENT_INVALID_CID",
    );
  });

  it("detects a corrupted block on disk instead of returning its bytes", async () => {
    const data = deterministicBytes(300_000, 3);
    const cid = await store.put(data);
    // Flip one byte of the file holding the DAG's first leaf, found by its content.
    const blocks = path.join(directory, "blocks");
    let corrupted = 0;
    for (const shard of await readdir(blocks)) {
      for (const file of await readdir(path.join(blocks, shard))) {
        const full = path.join(blocks, shard, file);
        const bytes = await readFile(full);
        if (bytes.length === 262_144 && Buffer.from(bytes).equals(Buffer.from(data.subarray(0, 262_144)))) {
          bytes[0] = bytes[0]! ^ 0xff;
          await writeFile(full, bytes);
          corrupted += 1;
        }
      }
    }
    assert.equal(corrupted, 1);
    await assert.rejects(
      readContent(store, cid),
      (error) => error instanceof ContentIntegrityError && error.code === "CONTENT_INTEGRITY_FAILED",
    );
    await assert.rejects(store.pin(cid), ContentIntegrityError);
  });

  it("pins content it holds and lists the pins", async () => {
    const cid = await store.put(new TextEncoder().encode("pin me"), { pin: false });
    assert.equal(await store.isPinned(cid), false);
    await store.pin(cid);
    assert.equal(await store.isPinned(cid), true);
    assert.ok((await store.pins()).includes(cid.toString()));
  });
});
