// Reading contributions for training through both backends: verified against the on-chain
// hash, one failure reported per contribution without stopping the others.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ContentNotFoundError, computeCid, createKuboContentStore, readContent, type ContentStore } from "../../src/content/index.ts";
import { createEmbeddedContentStore, type EmbeddedContentStore } from "../../src/content/node.ts";
import { startContentApi, type ContentApi } from "../../src/content-api/index.ts";
import {
  ContentHashMismatchError,
  DatasetInvalidError,
  parseCanonicalRecords,
  prepareContribution,
  readContributions,
  sha256Hex,
  storeContribution,
} from "../../src/dataset/index.ts";

const encode = (s: string) => new TextEncoder().encode(s);

describe("reading contributions for training", () => {
  let directory: string;
  let embedded: EmbeddedContentStore;
  let api: ContentApi;
  let backends: Array<[string, ContentStore]>;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "mf-read-"));
    embedded = await createEmbeddedContentStore({ directory });
    api = await startContentApi({ store: embedded, port: 0 });
    backends = [
      ["embedded", embedded],
      ["kubo via local API", createKuboContentStore({ url: api.url })],
    ];
  });
  after(async () => {
    await api.close();
    await embedded.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("stores records and metadata, then reads them back verified", async () => {
    for (const [name, store] of backends) {
      const prepared = await prepareContribution({
        bytes: encode('{"instruction":"Hi","output":"Hello"}\n{"text":"A passage."}\n'),
        format: "jsonl",
      });
      const stored = await storeContribution(store, prepared, {
        title: "  Greetings ",
        license: "CC-BY-4.0",
        tags: ["Chat", "chat", "demo"],
      });
      assert.equal(stored.cid.toString(), prepared.cid.toString(), name);
      assert.deepEqual(stored.metadata.tags, ["chat", "demo"]);
      const metadata = JSON.parse(new TextDecoder().decode(await readContent(store, stored.metadataCid)));
      assert.deepEqual(Object.keys(metadata), [
        "schema",
        "title",
        "description",
        "tags",
        "license",
        "sourceFormat",
        "recordSchema",
        "recordSchemaVersion",
        "recordCount",
        "recordKinds",
        "byteSize",
        "contentHash",
        "contentCid",
      ]);
      assert.equal(metadata.title, "Greetings");
      assert.equal(metadata.recordCount, 2);
      assert.deepEqual(metadata.recordKinds, { instruction: 1, chat: 0, text: 1 });
      assert.equal(metadata.contentHash, prepared.contentHash);

      const [result] = await readContributions(store, [{ id: 1n, cid: stored.cid, contentHash: stored.contentHash }]);
      assert.ok(result?.ok);
      assert.deepEqual(result.records, prepared.records);
    }
  });

  it("reports each failing contribution and still reads the others", async () => {
    for (const [name, store] of backends) {
      const good = await prepareContribution({ bytes: encode("one passage\n\nanother\n"), format: "text" });
      const goodCid = await store.put(good.bytes);
      const tampered = encode('{"schema":"modelfactory.record/1","kind":"text","text":"swapped"}\n');
      const tamperedCid = await store.put(tampered);
      const notCanonical = encode('{"text":"not canonical"}\n');
      const notCanonicalCid = await store.put(notCanonical);
      const missingCid = await computeCid(encode("never stored anywhere"));

      const results = await readContributions(store, [
        { id: 1, cid: goodCid, contentHash: good.contentHash },
        { id: 2, cid: tamperedCid, contentHash: good.contentHash },
        { id: 3, cid: missingCid, contentHash: good.contentHash },
        { id: 4, cid: notCanonicalCid, contentHash: await sha256Hex(notCanonical) },
        { id: 5, cid: goodCid, contentHash: "0x1234" },
      ]);
      assert.deepEqual(
        results.map((r) => r.id),
        [1, 2, 3, 4, 5],
        name,
      );
      assert.ok(results[0]?.ok);
      assert.equal(results[0].records.length, 2);
      const errors = results.slice(1).map((r) => (r.ok ? undefined : r.error));
      assert.ok(errors[0] instanceof ContentHashMismatchError);
      assert.equal(errors[0].code, "CONTENT_HASH_MISMATCH");
      assert.equal(errors[0].meta.expected, good.contentHash);
      assert.equal(errors[0].meta.actual, await sha256Hex(tampered));
      assert.ok(errors[1] instanceof ContentNotFoundError);
      assert.ok(errors[2] instanceof DatasetInvalidError);
      assert.equal(errors[2].problems[0]?.code, "NOT_CANONICAL");
      assert.equal(errors[3]?.code, "INVALID_INPUT");
    }
  });

  it("accepts only exact canonical bytes when parsing stored records", () => {
    const line = '{"schema":"modelfactory.record/1","kind":"text","text":"x"}';
    assert.equal(parseCanonicalRecords(encode(`${line}\n`)).length, 1);
    for (const bad of [line, `${line}\n\n`, `${line.replace(":", ": ")}\n`, `\ufeff${line}\n`]) {
      assert.throws(() => parseCanonicalRecords(encode(bad)), DatasetInvalidError, JSON.stringify(bad));
    }
  });
});
