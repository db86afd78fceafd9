// The training-manifest document: built by the trainer node, stored at the model's manifestURI,
// read back by the GUI and auditors, who recompute its root.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { InvalidInputError } from "../../src/errors.ts";
import {
  buildManifestDocument,
  INFLUENCE_INDEX_FORMAT,
  manifestInfluenceIndexProof,
  manifestOfDocument,
  manifestRoot,
  parseManifestDocument,
  verifyManifestEntry,
  ManifestEntryKind,
} from "../../src/protocol/manifest.ts";

const hash = (b: string) => `0x${b.repeat(32)}` as const;
const contributor = "0x00000000000000000000000000000000000000c1" as const;

describe("training manifest document", () => {
  const doc = buildManifestDocument({
    jobId: 7n,
    specURI: "ipfs://spec",
    specHash: hash("aa"),
    contributions: [
      { id: 3n, datanetId: 1n, contentHash: hash("01"), contentId: "bafy3", contributor },
      { id: 9n, datanetId: 2n, contentHash: hash("02"), contentId: "bafy9", contributor },
    ],
  });

  it("states the root of its own entries and survives a JSON round trip", () => {
    assert.equal(doc.schema, "modelfactory.manifest/1");
    assert.equal(doc.jobId, "7");
    assert.equal(doc.root, manifestRoot(manifestOfDocument(doc)));
    assert.deepEqual(parseManifestDocument(JSON.parse(JSON.stringify(doc))), doc);
    assert.deepEqual(
      manifestOfDocument(doc).contributions.map((c) => c.contributionId),
      [3n, 9n],
    );
  });

  it("refuses a document whose entries do not give the root it states", () => {
    const forged = { ...doc, contributions: doc.contributions.slice(1) };
    assert.throws(
      () => parseManifestDocument(forged),
      (e: unknown) => e instanceof InvalidInputError && e.code === "MANIFEST_ROOT_MISMATCH",
    );
  });

  it("names the first bad field", () => {
    const cases: [unknown, RegExp][] = [
      ["x", /"manifest" must be a JSON object/],
      [{ ...doc, schema: "modelfactory.manifest/0" }, /"schema"/],
      [{ ...doc, jobId: 7 }, /"jobId" must be a decimal string/],
      [{ ...doc, specHash: "0x1" }, /"specHash" must be 32 bytes/],
      [{ ...doc, contributions: [{ ...doc.contributions[0], contributor: "bob" }] }, /"contributions\[0\].contributor" must be an address/],
    ];
    for (const [raw, message] of cases) assert.throws(() => parseManifestDocument(raw), message);
  });

  describe("with an influence index", () => {
    const index = {
      format: "modelfactory.influence/1" as const,
      cid: "bafyindex",
      sha256: hash("ee"),
      sealed: true,
      contributions: 2,
      dim: 4096,
    };
    const withIndex = buildManifestDocument({
      jobId: 7n,
      specURI: "ipfs://spec",
      specHash: hash("aa"),
      contributions: doc.contributions.map((c) => ({
        id: BigInt(c.contributionId),
        datanetId: BigInt(c.datanetId),
        contentHash: c.contentHash,
        contentId: c.contentId,
        contributor: c.contributor,
      })),
      influenceIndex: index,
    });

    it("commits the index file's sha256 as a leaf of its own, which proves against the root", () => {
      assert.notEqual(withIndex.root, doc.root, "the index changes the root");
      assert.deepEqual(parseManifestDocument(JSON.parse(JSON.stringify(withIndex))), withIndex);
      // The format is not part of the leaf: a manifest naming today's per-record index parses too.
      const current = { ...withIndex, influenceIndex: { ...index, format: INFLUENCE_INDEX_FORMAT } };
      assert.equal(INFLUENCE_INDEX_FORMAT, "modelfactory.influence/2");
      assert.deepEqual(parseManifestDocument(JSON.parse(JSON.stringify(current))), current);
      const manifest = manifestOfDocument(withIndex);
      assert.equal(manifest.influenceIndexHash, index.sha256);
      const proof = manifestInfluenceIndexProof(manifest);
      assert.equal(verifyManifestEntry(withIndex.root, ManifestEntryKind.InfluenceIndex, 7n, index.sha256, proof), true);
      assert.equal(verifyManifestEntry(withIndex.root, ManifestEntryKind.InfluenceIndex, 7n, hash("ef"), proof), false);
      assert.throws(() => manifestInfluenceIndexProof(manifestOfDocument(doc)), /commits no influence index/);
    });

    it("refuses a swapped index hash and names a bad index field", () => {
      assert.throws(
        () => parseManifestDocument({ ...withIndex, influenceIndex: { ...index, sha256: hash("ef") } }),
        (e: unknown) => e instanceof InvalidInputError && e.code === "MANIFEST_ROOT_MISMATCH",
      );
      assert.throws(
        () => parseManifestDocument({ ...withIndex, influenceIndex: undefined }),
        (e: unknown) => e instanceof InvalidInputError && e.code === "MANIFEST_ROOT_MISMATCH",
        "dropping the index is caught too",
      );
      const cases: [unknown, RegExp][] = [
        [{ ...withIndex, influenceIndex: "x" }, /"influenceIndex" must be an object/],
        [
          { ...withIndex, influenceIndex: { ...index, format: "other" } },
          /"influenceIndex.format" must be one of "modelfactory.influence\/1", "modelfactory.influence\/2"/,
        ],
        [{ ...withIndex, influenceIndex: { ...index, format: "modelfactory.influence/3" } }, /"influenceIndex.format"/],
        [{ ...withIndex, influenceIndex: { ...index, sealed: "yes" } }, /"influenceIndex.sealed"/],
        [{ ...withIndex, influenceIndex: { ...index, sha256: "0x12" } }, /"influenceIndex.sha256" must be 32 bytes/],
        [{ ...withIndex, influenceIndex: { ...index, dim: 0 } }, /"influenceIndex.dim"/],
      ];
      for (const [raw, message] of cases) assert.throws(() => parseManifestDocument(raw), message);
    });
  });
});
