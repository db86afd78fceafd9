import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelFactoryError, InvalidInputError, describeError } from "../src/index.ts";

test("errors keep a short message, details and their cause chain", () => {
  const root = new Error("disk full");
  const e = new InvalidInputError("Bad record", { details: "line 3: empty output", cause: root });
  assert.equal(e.code, "INVALID_INPUT");
  assert.equal(e.shortMessage, "Bad record");
  assert.match(e.message, /line 3/);
  assert.equal(
    e.walk((x) => x === root),
    root,
  );
  assert.ok(e instanceof ModelFactoryError);
  assert.equal(describeError(e), "Bad record");
  assert.equal(describeError(new Error("first\nsecond")), "first");
  assert.equal(describeError("plain"), "plain");
});
