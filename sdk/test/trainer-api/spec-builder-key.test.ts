// The training spec's optional builderEncryptionKey: left out, the spec's bytes are what they were
// before the field existed (so old spec hashes still verify); given, it is validated and kept
// lower-case in the canonical bytes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildTrainingSpec, parseTrainingSpec, serializeTrainingSpec, SPEC_PRESETS, specProblems } from "../../src/index.ts";

const spec = (extra: Record<string, unknown> = {}) => ({
  ...buildTrainingSpec({
    name: "n",
    baseModel: "m",
    method: "lora",
    datanetIds: ["2", "1"],
    hyperparameters: SPEC_PRESETS.quick.hyperparameters,
    evalFraction: 0.2,
  }),
  ...extra,
});

describe("builderEncryptionKey in the training spec", () => {
  it("is optional and absent from the canonical bytes when left out", () => {
    const bytes = new TextDecoder().decode(serializeTrainingSpec(spec()));
    assert.doesNotMatch(bytes, /builderEncryptionKey/);
  });
  it("is kept, lower-cased, when it is a 32-byte hex key", () => {
    const key = `0x${"AB".repeat(32)}`;
    assert.equal(parseTrainingSpec(spec({ builderEncryptionKey: key })).builderEncryptionKey, key.toLowerCase());
    assert.match(new TextDecoder().decode(serializeTrainingSpec(spec({ builderEncryptionKey: key }))), /"builderEncryptionKey":"0xabab/);
  });
  it("refuses anything else, naming the field", () => {
    for (const bad of ["0x1234", 42, `0x${"zz".repeat(32)}`, null]) {
      assert.deepEqual(
        specProblems(spec({ builderEncryptionKey: bad })).map((p) => p.field),
        ["builderEncryptionKey"],
        String(bad),
      );
    }
    assert.throws(
      () => parseTrainingSpec(spec({ builderEncryptionKey: "0x12" })),
      /"builderEncryptionKey" must be a 32-byte X25519 public key/,
    );
  });
});
