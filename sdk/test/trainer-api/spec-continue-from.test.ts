// The training spec's optional continueFrom: absent, a spec keeps the bytes and hash it had before
// the field existed; present, it is kept last and must be a job id; continuationProblems names every
// setting that differs from the job continued, and the manifest document records the continuation.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  buildManifestDocument,
  buildTrainingSpec,
  continuationProblems,
  parseManifestDocument,
  parseTrainingSpec,
  serializeTrainingSpec,
  SPEC_PRESETS,
  specProblems,
} from "../../src/index.ts";

const base = {
  name: "n",
  baseModel: "m",
  method: "lora" as const,
  datanetIds: ["1"],
  hyperparameters: SPEC_PRESETS.quick.hyperparameters,
  evalFraction: 0.1,
};
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("continueFrom in the training spec", () => {
  it("leaves a spec without it byte for byte as before (hash measured on the code before the field)", () => {
    assert.equal(
      sha256(serializeTrainingSpec(buildTrainingSpec(base))),
      "9fded210963610f692fbed9e0cb4770f3a7576024c95e9820965cf7ec64b2859",
    );
  });
  it("is kept, last, when set, and changes the hash", () => {
    const spec = parseTrainingSpec(buildTrainingSpec({ ...base, continueFrom: "12" }));
    assert.equal(spec.continueFrom, "12");
    assert.equal(Object.keys(spec).at(-1), "continueFrom");
    assert.notEqual(sha256(serializeTrainingSpec(spec)), sha256(serializeTrainingSpec(buildTrainingSpec(base))));
  });
  it("names the field for anything but a job id", () => {
    for (const bad of ["0", "012", 12, "", "x", null]) {
      assert.deepEqual(specProblems({ ...buildTrainingSpec(base), continueFrom: bad }), [
        { field: "continueFrom", rule: "must be the id of the job to continue (a positive decimal string), or left out" },
      ]);
    }
  });
});

describe("continuationProblems", () => {
  const earlier = buildTrainingSpec(base);
  it("allows a new name, description and builder key", () => {
    assert.deepEqual(
      continuationProblems(earlier, buildTrainingSpec({ ...base, name: "again", description: "d", continueFrom: "3" }), "3"),
      [],
    );
  });
  it("names every setting that differs, with both values", () => {
    const next = buildTrainingSpec({
      ...base,
      baseModel: "other",
      method: "qlora",
      datanetIds: ["1", "2"],
      evalSplit: "record",
      hyperparameters: {
        ...base.hyperparameters,
        learningRate: 1e-3,
        lora: { ...base.hyperparameters.lora, rank: 4 },
        earlyStoppingPatience: 2,
      },
    });
    assert.deepEqual(continuationProblems(earlier, next, "3"), [
      'baseModel is "other" here but "m" in job 3',
      'method is "qlora" here but "lora" in job 3',
      'datanetIds is ["1","2"] here but ["1"] in job 3',
      'evalSplit is "record" here but "contribution" in job 3',
      "hyperparameters.learningRate is 0.001 here but 0.0003 in job 3",
      "hyperparameters.lora.rank is 4 here but 8 in job 3",
      "hyperparameters.earlyStoppingPatience is 2 here but not set in job 3",
    ]);
  });
});

describe("manifest continuedFrom", () => {
  const input = { jobId: 5n, specURI: "ipfs://spec", specHash: `0x${"11".repeat(32)}` as const, contributions: [] };
  it("is recorded when given, absent otherwise, and the root does not depend on it", () => {
    const plain = buildManifestDocument(input);
    const continued = buildManifestDocument({ ...input, continuedFrom: { jobId: 3n, step: 6 } });
    assert.equal("continuedFrom" in plain, false);
    assert.deepEqual(parseManifestDocument(JSON.parse(JSON.stringify(continued))).continuedFrom, { jobId: "3", step: 6 });
    assert.equal(continued.root, plain.root);
    assert.throws(() => parseManifestDocument({ ...continued, continuedFrom: { jobId: "3", step: -1 } }), /continuedFrom\.step/);
  });
});
