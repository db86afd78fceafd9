// CID vectors: the pinned layout must give Kubo's CIDs. Well-known Kubo outputs are checked
// as published; multi-block vectors are derived twice, by the SDK and by an independent
// from-spec implementation, then frozen here so any drift in either shows.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { computeCid, CONTENT_LAYOUT } from "../../src/content/index.ts";
import { deterministicBytes } from "./data.ts";
import { referenceCid } from "./reference-unixfs.ts";
import { DERIVED_VECTORS, KUBO_VECTORS } from "./vectors.ts";

describe("Kubo CID vectors", () => {
  for (const vector of KUBO_VECTORS) {
    it(vector.name, async () => {
      assert.equal((await computeCid(vector.data, vector.layout)).toString(), vector.cid);
    });
  }

  it("single-block CIDs equal the sha2-256 multihash of the bytes in a raw CIDv1", async () => {
    for (const vector of KUBO_VECTORS.filter((v) => v.layout === CONTENT_LAYOUT)) {
      const direct = CID.createV1(raw.code, await sha256.digest(vector.data));
      assert.equal(direct.toString(), vector.cid);
    }
  });

  for (const { size, cid } of DERIVED_VECTORS) {
    it(`${size} bytes: SDK and the from-spec reference agree (${cid.slice(0, 16)}…)`, async () => {
      const data = deterministicBytes(size);
      assert.equal(referenceCid(data), cid);
      assert.equal((await computeCid(data)).toString(), cid);
    });
  }

  it("a streamed source gets the CID of the same bytes in one piece", async () => {
    const data = deterministicBytes(1_048_577);
    const pieces = [data.subarray(0, 5), data.subarray(5, 300_001), data.subarray(300_001)];
    assert.equal((await computeCid(pieces)).toString(), DERIVED_VECTORS[3]!.cid);
    assert.equal((await computeCid(new Blob([data as Uint8Array<ArrayBuffer>]).stream())).toString(), DERIVED_VECTORS[3]!.cid);
  });
});
