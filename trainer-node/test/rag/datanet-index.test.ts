import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DatanetIndex } from "../../src/rag/datanet-index.ts";
import { meta } from "./fixtures.ts";
import { canonicalText } from "../../src/rag/passages.ts";
import { RagInputError } from "../../src/rag/errors.ts";
import { RECORD_SCHEMA, type DatasetRecord } from "@modelfactory/sdk";

const corpus: Record<number, { datanet: number; records: DatasetRecord[] }> = {
  1: {
    datanet: 1,
    records: [
      {
        schema: RECORD_SCHEMA,
        kind: "instruction",
        instruction: "What is LoRA?",
        input: "",
        output: "LoRA adds low-rank adapter matrices to frozen weights.",
      },
    ],
  },
  2: {
    datanet: 1,
    records: [
      { schema: RECORD_SCHEMA, kind: "text", text: "QLoRA quantises the base model to 4-bit NF4 and trains LoRA adapters on top." },
    ],
  },
  3: { datanet: 2, records: [{ schema: RECORD_SCHEMA, kind: "text", text: "Secret: the LoRA rank of the private model is 64." }] },
  4: {
    datanet: 3,
    records: [
      {
        schema: RECORD_SCHEMA,
        kind: "chat",
        messages: [
          { role: "user", content: "best pasta?" },
          { role: "assistant", content: "Carbonara with guanciale." },
        ],
      },
    ],
  },
};

function build() {
  const index = new DatanetIndex();
  for (const [id, c] of Object.entries(corpus)) index.upsertContribution(meta(Number(id), c.datanet), c.records);
  return index;
}

describe("DatanetIndex", () => {
  it("returns passages with their contribution and exact offsets", () => {
    const index = build();
    const hits = index.search("what does LoRA add to weights?", [1n, 2n, 3n], 5);
    assert.equal(hits[0]!.contribution.contributionId, "1");
    assert.deepEqual(
      hits.map((h) => h.rank),
      hits.map((_, i) => i + 1),
    );
    for (const h of hits) {
      const text = canonicalText(corpus[Number(h.contribution.contributionId)]!.records);
      assert.equal(text.slice(h.passage.start, h.passage.end), h.passage.text);
    }
    assert.equal(hits[0]!.contribution.transactionHash, `0x${"1".padStart(64, "0")}`);
  });

  it("never returns a passage from a Datanet the caller may not retrieve from", () => {
    const index = build();
    for (const allowed of [[1n], ["1", "3"], [3], [2n]] as const) {
      const set = new Set(allowed.map(String));
      for (const q of ["LoRA rank", "private secret rank", "pasta carbonara", "model"]) {
        for (const h of index.search(q, allowed, 10))
          assert.ok(set.has(h.contribution.datanetId), `${q} leaked Datanet ${h.contribution.datanetId}`);
      }
    }
    assert.deepEqual(index.search("LoRA", [], 10), []);
    assert.deepEqual(index.search("LoRA", [99n], 10), []);
  });

  it("purges a withdrawn contribution immediately and re-indexes a changed one", () => {
    const index = build();
    assert.ok(index.search("secret rank private", [2n], 5).length > 0);
    assert.equal(index.removeContribution(3n), true);
    assert.deepEqual(
      index.search("secret rank private", [1n, 2n, 3n], 5).filter((h) => h.contribution.contributionId === "3"),
      [],
    );
    assert.equal(index.has(3n), false);
    index.upsertContribution(meta(2, 1), [{ schema: RECORD_SCHEMA, kind: "text", text: "Replaced text about tokenizers." }]);
    assert.deepEqual(
      index.search("QLoRA NF4", [1n], 5).filter((h) => h.contribution.contributionId === "2"),
      [],
    );
    assert.equal(index.search("tokenizers", [1n], 5)[0]!.contribution.contributionId, "2");
    assert.deepEqual(index.retainOnly([1n]), ["2", "4"]);
    assert.equal(index.stats().contributions, 1);
    assert.throws(() => index.search("x", ["-1"], 5), RagInputError);
  });
});
