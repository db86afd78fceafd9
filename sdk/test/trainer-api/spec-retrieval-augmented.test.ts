// The training spec's optional retrievalAugmented (RAFT): absent, a spec keeps the bytes and hash it
// had before the field existed; present, it round-trips, is kept last, changes the hash, and every
// bad value is refused naming its field; a continuation must keep it as it was.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  buildTrainingSpec,
  continuationProblems,
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

describe("retrievalAugmented in the training spec", () => {
  it("leaves a spec without it byte for byte as before (hash measured on the code before the field)", () => {
    assert.equal(
      sha256(serializeTrainingSpec(buildTrainingSpec(base))),
      "9fded210963610f692fbed9e0cb4770f3a7576024c95e9820965cf7ec64b2859",
    );
    assert.equal("retrievalAugmented" in parseTrainingSpec(buildTrainingSpec(base)), false);
  });
  it("round-trips through the spec's bytes, last, and changes the hash", () => {
    const spec = buildTrainingSpec({ ...base, continueFrom: "3", retrievalAugmented: { passages: 4, oracleShare: 0.8 } });
    const bytes = serializeTrainingSpec(spec);
    const back = parseTrainingSpec(JSON.parse(new TextDecoder().decode(bytes)));
    assert.deepEqual(back.retrievalAugmented, { passages: 4, oracleShare: 0.8 });
    assert.equal(Object.keys(back).at(-1), "retrievalAugmented");
    assert.deepEqual(serializeTrainingSpec(back), bytes);
    assert.notEqual(sha256(bytes), sha256(serializeTrainingSpec(buildTrainingSpec({ ...base, continueFrom: "3" }))));
    // Key order inside the option is canonical, whatever order the author wrote.
    const reordered = serializeTrainingSpec({ ...spec, retrievalAugmented: { oracleShare: 0.8, passages: 4 } } as never);
    assert.deepEqual(reordered, bytes);
  });
  it("names the field and its range for every bad value", () => {
    const problems = (v: unknown) => specProblems({ ...buildTrainingSpec(base), retrievalAugmented: v });
    assert.deepEqual(problems(4), [{ field: "retrievalAugmented", rule: "must be an object { passages, oracleShare }, or left out" }]);
    assert.deepEqual(problems(null), [{ field: "retrievalAugmented", rule: "must be an object { passages, oracleShare }, or left out" }]);
    assert.deepEqual(problems([]), [{ field: "retrievalAugmented", rule: "must be an object { passages, oracleShare }, or left out" }]);
    for (const passages of [0, 9, 2.5, "4", undefined]) {
      assert.deepEqual(problems({ passages, oracleShare: 0.5 }), [
        { field: "retrievalAugmented.passages", rule: "must be a whole number from 1 to 8" },
      ]);
    }
    for (const oracleShare of [-0.1, 1.01, Number.NaN, "0.8", undefined]) {
      assert.deepEqual(problems({ passages: 4, oracleShare }), [
        { field: "retrievalAugmented.oracleShare", rule: "must be a number from 0 to 1" },
      ]);
    }
    assert.deepEqual(problems({ passages: 4, oracleShare: 0.8, oracle_share: 1 }), [
      { field: "retrievalAugmented.oracle_share", rule: "is not a setting of retrievalAugmented (it has passages and oracleShare)" },
    ]);
    assert.deepEqual(problems({ passages: 1, oracleShare: 0 }), []);
    assert.deepEqual(problems({ passages: 8, oracleShare: 1 }), []);
    assert.throws(
      () => parseTrainingSpec({ ...buildTrainingSpec(base), retrievalAugmented: { passages: 4 } }),
      /"retrievalAugmented\.oracleShare" must be a number from 0 to 1/,
    );
  });
  it("must stay as it was for a continuation", () => {
    const earlier = buildTrainingSpec(base);
    assert.deepEqual(
      continuationProblems(earlier, buildTrainingSpec({ ...base, retrievalAugmented: { passages: 2, oracleShare: 1 } }), "7"),
      ['retrievalAugmented is {"passages":2,"oracleShare":1} here but not set in job 7'],
    );
  });
});
