import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Bm25Index } from "../../src/rag/bm25.ts";

// Tiny corpus, scores worked out by hand with k1 = 1.2, b = 0.75 and
// idf = ln(1 + (N - df + 0.5) / (df + 0.5)):
//   d1 "apple banana apple" (length 3), d2 "banana cherry" (2), d3 "cherry date elder fig" (4); avgdl 3.
function tiny() {
  const index = new Bm25Index<string>();
  index.add("c1", "dn1", [{ text: "apple banana apple", doc: "d1" }]);
  index.add("c2", "dn1", [{ text: "banana cherry", doc: "d2" }]);
  index.add("c3", "dn2", [{ text: "cherry date elder fig", doc: "d3" }]);
  return index;
}
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-5, `${a} ≉ ${b}`);

describe("Bm25Index", () => {
  it("matches hand-computed BM25 scores and ranks", () => {
    const index = tiny();
    // apple: df 1, idf ln(8/3) = 0.980829; d1 tf 2: 2·2.2 / (2 + 1.2·1) = 1.375 → 1.348640.
    const apple = index.search("Apple");
    assert.deepEqual(
      apple.map((h) => h.doc),
      ["d1"],
    );
    close(apple[0]!.score, 1.34864);
    // banana, cherry: df 2, idf ln(1.6) = 0.470004.
    // d2: 2 × 0.470004 × 2.2/1.9 = 1.088430; d1: 0.470004 × 2.2/2.2 = 0.470004; d3: 0.470004 × 2.2/2.5 = 0.413603.
    const bc = index.search("the banana and the cherry, cherry");
    assert.deepEqual(
      bc.map((h) => h.doc),
      ["d2", "d1", "d3"],
    );
    close(bc[0]!.score, 1.08843);
    close(bc[1]!.score, 0.470004);
    close(bc[2]!.score, 0.413603);
    assert.deepEqual(
      index.search("banana cherry", { k: 1 }).map((h) => h.doc),
      ["d2"],
    );
    assert.deepEqual(index.search("unknown words"), []);
  });

  it("removal purges at once and corrects the statistics", () => {
    const index = tiny();
    assert.equal(index.remove("c1"), true);
    assert.deepEqual(index.search("apple"), []);
    // N = 2, avgdl = 3; banana df 1: idf ln 2; d2 tf 1, dl 2: 2.2/1.9.
    const hits = index.search("banana");
    assert.deepEqual(
      hits.map((h) => h.doc),
      ["d2"],
    );
    close(hits[0]!.score, Math.LN2 * (2.2 / 1.9));
    assert.equal(index.size, 2);
    assert.equal(index.remove("c1"), false);
    // Re-adding replaces, never duplicates.
    index.add("c2", "dn1", [{ text: "banana split", doc: "d2b" }]);
    assert.deepEqual(
      index.search("banana").map((h) => h.doc),
      ["d2b"],
    );
  });

  it("compacts dead postings without changing results", () => {
    const index = new Bm25Index<number>();
    for (let c = 0; c < 600; c++)
      index.add(
        `c${c}`,
        `g${c % 3}`,
        Array.from({ length: 5 }, (_, i) => ({ text: `common term${c} word${i} shared${c % 7}`, doc: c * 10 + i })),
      );
    const before = index.search("shared3 common", { k: 50 }).filter((h) => Math.floor(h.doc / 10) % 2 === 1);
    for (let c = 0; c < 600; c += 2) index.remove(`c${c}`);
    assert.ok(index.stats().deadPostings < 300 * 5 * 4, "removing half the corpus compacted on its own");
    index.compact();
    assert.equal(index.stats().deadPostings, 0);
    assert.equal(index.stats().documents, 1500);
    const after = index.search("shared3 common", { k: 50 });
    assert.ok(after.every((h) => Math.floor(h.doc / 10) % 2 === 1));
    assert.deepEqual(new Set(after.map((h) => h.doc)).size, after.length);
    assert.ok(before.length > 0 && after.length > 0);
  });

  it("filters by group and never leaks a document from another group", () => {
    const index = tiny();
    assert.deepEqual(
      index.search("cherry", { groups: ["dn2"] }).map((h) => h.doc),
      ["d3"],
    );
    assert.deepEqual(
      index.search("cherry", { groups: ["dn1"] }).map((h) => h.doc),
      ["d2"],
    );
    assert.deepEqual(index.search("cherry", { groups: [] }), []);
    assert.deepEqual(index.search("cherry", { groups: ["nope"] }), []);
    assert.deepEqual(
      index.search("cherry").map((h) => h.doc),
      ["d2", "d3"],
    );
  });

  it("breaks ties by insertion order and returns exactly k", () => {
    const index = new Bm25Index<number>();
    for (let i = 0; i < 30; i++) index.add(`c${i}`, "g", [{ text: "same words here", doc: i }]);
    assert.deepEqual(
      index.search("same", { k: 5 }).map((h) => h.doc),
      [0, 1, 2, 3, 4],
    );
    assert.equal(index.search("same", { k: 0 }).length, 0);
  });
});
