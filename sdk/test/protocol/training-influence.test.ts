// Training influence's wording and threshold: the words follow the score, the threshold is where
// "shaped by" starts, and a non-finite score is refused rather than described.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeTrainingInfluence, MAX_TRAINING_INFLUENCES, MIN_INFLUENCE_SCORE } from "../../src/protocol/training-influence.ts";

describe("training influence wording", () => {
  it("says how strongly training moved the model, with the threshold as the line", () => {
    assert.equal(describeTrainingInfluence(0.93), "training on this contribution moved the model strongly toward this answer");
    assert.equal(describeTrainingInfluence(MIN_INFLUENCE_SCORE), "training on this contribution moved the model toward this answer");
    assert.equal(
      describeTrainingInfluence(MIN_INFLUENCE_SCORE - 0.01),
      "training on this contribution had no measurable effect on this answer",
    );
    assert.equal(describeTrainingInfluence(-0.8), "training on this contribution moved the model away from this answer");
    assert.ok(MIN_INFLUENCE_SCORE > 0 && MIN_INFLUENCE_SCORE < 0.6 && MAX_TRAINING_INFLUENCES >= 1);
  });

  it("refuses a score that is not a number", () => {
    assert.throws(() => describeTrainingInfluence(Number.NaN), /score must be finite, got NaN/);
  });
});
