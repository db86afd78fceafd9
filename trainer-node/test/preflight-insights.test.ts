// Pre-flight's data insights per contribution: records and estimated tokens, records truncated
// to maxLength or dropped for having no answer within it, duplicates of another contribution's
// records (whitespace and case aside; copies inside one contribution are not that), sealed
// contributions counted from metadata alone, unreadable ones named.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RECORD_SCHEMA, type DatasetRecord } from "@modelfactory/sdk";
import { contributionInsights, recordLength } from "../src/preflight.ts";

const inst = (instruction: string, output: string): DatasetRecord => ({
  schema: RECORD_SCHEMA,
  kind: "instruction",
  instruction,
  input: "",
  output,
});
const chat = (user: string, answer: string): DatasetRecord => ({
  schema: RECORD_SCHEMA,
  kind: "chat",
  messages: [
    { role: "user", content: user },
    { role: "assistant", content: answer },
  ],
});

describe("pre-flight data insights", () => {
  it("estimates a record's length and where its answer starts", () => {
    // 8 chars = 2 tokens, + 4 template tokens per part; the answer starts after the prompt's and its own marker.
    assert.deepEqual(recordLength(inst("12345678", "1234")), { tokens: 2 + 0 + 4 + 1 + 4, beforeAnswer: 2 + 0 + 4 + 4 });
    assert.deepEqual(recordLength(chat("12345678", "1234")), { tokens: 6 + 5, beforeAnswer: 6 + 4 });
    assert.deepEqual(recordLength({ schema: RECORD_SCHEMA, kind: "text", text: "x".repeat(40) }), { tokens: 14, beforeAnswer: 0 });
  });

  it("counts records, tokens, truncated, dropped and cross-contribution duplicates", () => {
    const long = "w".repeat(400); // 100 tokens
    const shared = inst("What is LoRA?", "Low-rank adapters.");
    const out = contributionInsights(
      [
        { contributionId: "1", datanetId: "7", records: [shared, inst("short", long), inst(long, "x"), inst("a", "b"), inst("a", "b")] },
        { contributionId: "2", datanetId: "7", records: [inst("  what is   LORA? ", "low-rank adapters."), chat("hi", "hello")] },
        { contributionId: "3", datanetId: "8", sealed: { recordCount: 12, byteSize: 4000 } },
        { contributionId: "4", datanetId: "8", error: "content hash does not match" },
      ],
      64,
    );
    assert.equal(out.length, 4);
    const [a, b, c, d] = out;
    assert.equal(a!.records, 5);
    assert.equal(a!.truncated, 1, "a long answer is cut to maxLength");
    assert.equal(a!.dropped, 1, "a prompt that fills maxLength leaves no answer token");
    assert.equal(a!.duplicates, 1, "the LoRA question is also in contribution 2; the two copies of a/b are within one contribution");
    assert.equal(
      a!.tokens,
      [shared, inst("short", long), inst(long, "x"), inst("a", "b"), inst("a", "b")].reduce((n, r) => n + recordLength(r).tokens, 0),
    );
    assert.deepEqual(
      { ...b, tokens: undefined },
      { contributionId: "2", datanetId: "7", sealed: false, records: 2, tokens: undefined, truncated: 0, dropped: 0, duplicates: 1 },
    );
    assert.deepEqual(c, {
      contributionId: "3",
      datanetId: "8",
      sealed: true,
      records: 12,
      tokens: 1000,
      truncated: null,
      dropped: null,
      duplicates: null,
    });
    assert.deepEqual(d, {
      contributionId: "4",
      datanetId: "8",
      sealed: false,
      records: 0,
      tokens: 0,
      truncated: null,
      dropped: null,
      duplicates: null,
      error: "content hash does not match",
    });
    // With room for the long record, nothing is truncated or dropped.
    const roomy = contributionInsights([{ contributionId: "1", datanetId: "7", records: [inst("short", long), inst(long, "x")] }], 512)[0]!;
    assert.deepEqual([roomy.truncated, roomy.dropped, roomy.duplicates], [0, 0, 0]);
  });
});
