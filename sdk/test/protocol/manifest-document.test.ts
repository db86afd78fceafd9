// The training-manifest document: built by the trainer node, stored at the model's manifestURI,
// read back by the GUI and auditors, who recompute its root.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { InvalidInputError } from "../../src/errors.ts";
import { buildManifestDocument, manifestOfDocument, manifestRoot, parseManifestDocument } from "../../src/protocol/manifest.ts";

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
    assert.deepEqual(manifestOfDocument(doc).contributions.map((c) => c.contributionId), [3n, 9n]);
  });

  it("refuses a document whose entries do not give the root it states", () => {
    const forged = { ...doc, contributions: doc.contributions.slice(1) };
    assert.throws(() => parseManifestDocument(forged), (e: unknown) => e instanceof InvalidInputError && e.code === "MANIFEST_ROOT_MISMATCH");
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
});
