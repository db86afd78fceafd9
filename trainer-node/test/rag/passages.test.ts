import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { canonicalText, RECORD_SEPARATOR, splitPassages } from "../../src/rag/passages.ts";
import { ContributionTooLargeError, RagInputError } from "../../src/rag/errors.ts";
import { RECORD_SCHEMA, type DatasetRecord } from "@modelfactory/sdk";

const words = (n: number, seed = 1) => Array.from({ length: n }, (_, i) => `w${(i * 7919 + seed) % 1000}`).join(" ");

describe("passages", () => {
  it("defines the canonical text of each record kind", () => {
    const records: DatasetRecord[] = [
      { schema: RECORD_SCHEMA, kind: "instruction", instruction: "Q?", input: "", output: "A." },
      {
        schema: RECORD_SCHEMA,
        kind: "chat",
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "hello" },
        ],
      },
      { schema: RECORD_SCHEMA, kind: "text", text: "plain" },
    ];
    assert.equal(canonicalText(records), `Q?\nA.${RECORD_SEPARATOR}hi\nhello${RECORD_SEPARATOR}plain`);
  });

  it("every passage's offsets map back to the exact canonical text, including non-BMP characters", () => {
    const records: DatasetRecord[] = [
      { schema: RECORD_SCHEMA, kind: "text", text: `${words(400)} 🙂🙂 ${words(300, 5)}` },
      { schema: RECORD_SCHEMA, kind: "instruction", instruction: "How many?", input: "ctx", output: words(50) },
      { schema: RECORD_SCHEMA, kind: "text", text: "   " },
      { schema: RECORD_SCHEMA, kind: "text", text: "x".repeat(2000) },
    ];
    const { text, passages } = splitPassages(records, { maxChars: 300, overlapChars: 60 });
    assert.equal(text, canonicalText(records));
    assert.ok(passages.length > 10);
    for (const p of passages) {
      assert.equal(text.slice(p.start, p.end), p.text);
      assert.ok(p.text.length <= 300 && p.text.length > 0);
      assert.equal(p.text, p.text.trim());
      assert.ok(!/^[\udc00-\udfff]/.test(p.text) && !/[\ud800-\udbff]$/.test(p.text), "no split surrogate pair");
    }
    // Long records are covered completely, windows overlap, and none crosses a record.
    const first = passages.filter((p) => p.recordIndex === 0);
    assert.equal(first[0]!.start, 0);
    assert.equal(first.at(-1)!.end, (records[0] as { text: string }).text.length);
    for (let i = 1; i < first.length; i++) assert.ok(first[i]!.start < first[i - 1]!.end, "windows overlap");
    assert.equal(passages.filter((p) => p.recordIndex === 2).length, 0);
  });

  it("bounds untrusted input", () => {
    const many = Array.from({ length: 11 }, (): DatasetRecord => ({ schema: RECORD_SCHEMA, kind: "text", text: "a" }));
    assert.throws(() => splitPassages(many, { maxRecords: 10 }), ContributionTooLargeError);
    assert.throws(
      () => splitPassages([{ schema: RECORD_SCHEMA, kind: "text", text: "a".repeat(100) }], { maxTextChars: 50 }),
      ContributionTooLargeError,
    );
    assert.throws(
      () => splitPassages([{ schema: RECORD_SCHEMA, kind: "text", text: words(1000) }], { maxPassages: 3 }),
      (e: unknown) => e instanceof ContributionTooLargeError && e.code === "RAG_CONTRIBUTION_TOO_LARGE",
    );
    assert.throws(() => splitPassages([{ schema: RECORD_SCHEMA, kind: "text", text: 5 } as never]), RagInputError);
    assert.throws(() => splitPassages([{ schema: RECORD_SCHEMA, kind: "audio" } as never]), /unknown kind/);
  });
});
