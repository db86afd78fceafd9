import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { attribute, buildContext, WEIGHT_SCALE } from "../../src/rag/attribution.ts";
import { DatanetIndex } from "../../src/rag/datanet-index.ts";
import { canonicalText } from "../../src/rag/passages.ts";
import { tokenize } from "../../src/rag/tokenize.ts";
import { meta } from "./fixtures.ts";
import { RECORD_SCHEMA, type DatasetRecord } from "@modelfactory/sdk";

const records: Record<number, DatasetRecord[]> = {
  7: [
    { schema: RECORD_SCHEMA, kind: "text", text: "Unrelated opening paragraph about gardening and roses." },
    {
      schema: RECORD_SCHEMA,
      kind: "instruction",
      instruction: "How does QLoRA save memory?",
      input: "",
      output: "QLoRA stores the frozen base model in 4-bit NormalFloat and trains low-rank adapters in 16-bit.",
    },
  ],
  8: [
    { schema: RECORD_SCHEMA, kind: "text", text: "LoRA freezes the pretrained weights and learns two small low-rank matrices per layer." },
  ],
  9: [{ schema: RECORD_SCHEMA, kind: "text", text: "Memory of a full fine-tune grows with optimizer state for every parameter." }],
};

function setup() {
  const index = new DatanetIndex();
  for (const [id, recs] of Object.entries(records)) index.upsertContribution(meta(Number(id), Number(id) === 9 ? 2 : 1), recs);
  return index;
}

describe("attribute", () => {
  const question = "How does QLoRA save memory compared to LoRA?";
  const answer = "QLoRA stores the frozen base model in 4-bit NormalFloat, and it trains low-rank adapters; memory drops a lot.";

  it("cites the retrieved passages with exact spans, reasons and weights ≤ 10000", () => {
    const retrieved = setup().search(question, [1n, 2n], 5);
    const citations = attribute({ question, answer, retrieved });
    assert.equal(citations.length, retrieved.length);
    assert.equal(citations[0]!.contributionId, "7");
    assert.ok(citations.reduce((s, c) => s + c.weight, 0) <= WEIGHT_SCALE);
    assert.ok(citations[0]!.weight > citations.at(-1)!.weight);
    for (const [i, c] of citations.entries()) {
      const r = retrieved[i]!;
      // The citation is the passage whose text was retrieved, with its offsets in the contribution.
      assert.equal(c.contributionId, r.contribution.contributionId);
      assert.deepEqual(c.passage, r.passage);
      assert.equal(canonicalText(records[Number(c.contributionId)]!).slice(c.passage.start, c.passage.end), c.passage.text);
      assert.equal(c.rank, i + 1);
      assert.ok(c.reason.includes(`rank ${i + 1} of ${retrieved.length}`), c.reason);
      // Every span is an exact substring starting and ending on a matched word.
      const answerWords = new Set(tokenize(answer).map((t) => t.term));
      const passageWords = new Set(tokenize(c.passage.text).map((t) => t.term));
      for (const s of c.sourceSpans) {
        assert.ok(s.start >= 0 && s.end <= c.passage.text.length && s.start < s.end);
        const words = tokenize(c.passage.text.slice(s.start, s.end));
        assert.ok(words.length > 0 && tokenize(c.passage.text.slice(s.start, s.end), { keepStopWords: true })[0]!.start === 0);
      }
      for (const s of c.answerSpans) {
        const inner = tokenize(answer.slice(s.start, s.end));
        assert.ok(
          inner.every((t) => passageWords.has(t.term)),
          `answer span "${answer.slice(s.start, s.end)}" has words not in the passage`,
        );
      }
      for (const s of c.sourceSpans) {
        const inner = tokenize(c.passage.text.slice(s.start, s.end));
        const q = new Set(tokenize(question).map((t) => t.term));
        assert.ok(
          inner.every((t) => answerWords.has(t.term) || q.has(t.term)),
          `source span "${c.passage.text.slice(s.start, s.end)}"`,
        );
      }
    }
    const top = citations[0]!;
    const phrase = "frozen base model in 4-bit NormalFloat";
    assert.ok(
      top.answerSpans.some((s) => answer.slice(s.start, s.end).includes(phrase)),
      JSON.stringify(top.answerSpans),
    );
    assert.ok(top.sourceSpans.some((s) => top.passage.text.slice(s.start, s.end).includes(phrase)));
    assert.match(
      top.reason,
      /^Shares \d+ terms with the question \(qlora, save, memory\) and \d+ phrases? with the answer \(“QLoRA stores the frozen base model in 4-bit NormalFloat”.*\); BM25 score \d+\.\d\d, rank 1 of \d\.$/,
    );
    // The public receipt's reason says the same without quoting question, answer or passage.
    assert.match(
      top.publicReason,
      /^Shares \d+ terms with the question and \d+ phrases? with the answer; BM25 score \d+\.\d\d, rank 1 of \d\.$/,
    );
  });

  it("handles no retrieval, no overlap and caps the number of citations", () => {
    assert.deepEqual(attribute({ question: "q", answer: "a", retrieved: [] }), []);
    const retrieved = setup().search(question, [1n, 2n], 5);
    const none = attribute({ question, answer: "Bonjour.", retrieved });
    assert.ok(none.length > 0, "retrieval found passages to attribute");
    assert.ok(none.every((c) => c.answerSpans.length === 0 && c.reason.includes("nothing with the answer")));
    assert.ok(none.reduce((s, c) => s + c.weight, 0) <= WEIGHT_SCALE);
    assert.equal(attribute({ question, answer, retrieved, maxCitations: 1 }).length, 1);
  });

  it("builds a bounded, numbered context", () => {
    const retrieved = setup().search(question, [1n, 2n], 5);
    const ctx = buildContext(retrieved);
    assert.ok(ctx.includes(`[1] Datanet 1, contribution 7\n${retrieved[0]!.passage.text}`));
    assert.ok(buildContext(retrieved, { maxChars: 150 }).length <= 150);
  });
});
