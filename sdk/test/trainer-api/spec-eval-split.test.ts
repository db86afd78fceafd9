// The training spec's optional evalSplit: absent, a spec's bytes (and hash) are what they were
// before the field existed; "record" or "contribution" are kept; anything else is refused by name.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildTrainingSpec, parseTrainingSpec, serializeTrainingSpec, SPEC_PRESETS, specProblems } from "../../src/index.ts";

const base = {
  name: "n",
  baseModel: "m",
  method: "lora" as const,
  datanetIds: ["1"],
  hyperparameters: SPEC_PRESETS.quick.hyperparameters,
  evalFraction: 0.1,
};

describe("evalSplit in the training spec", () => {
  it("is absent from the canonical bytes when left out", () => {
    assert.doesNotMatch(new TextDecoder().decode(serializeTrainingSpec(buildTrainingSpec(base))), /evalSplit/);
  });
  it("keeps a valid choice, right after evalFraction", () => {
    const spec = parseTrainingSpec(buildTrainingSpec({ ...base, evalSplit: "record" }));
    assert.equal(spec.evalSplit, "record");
    const keys = Object.keys(spec);
    assert.equal(keys.indexOf("evalSplit"), keys.indexOf("evalFraction") + 1);
  });
  it("names the field and the choices for anything else", () => {
    for (const bad of ["records", 1, null, {}]) {
      assert.deepEqual(specProblems({ ...buildTrainingSpec(base), evalSplit: bad }), [
        { field: "evalSplit", rule: 'must be "contribution" or "record", or left out (contribution)' },
      ]);
    }
  });
});
