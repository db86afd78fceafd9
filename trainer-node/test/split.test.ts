// The two held-out splits: by contribution (unseen topics) and by record (paraphrases of trained
// facts), each deterministic and disjoint.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { splitByContribution, splitByRecord } from "../src/split.ts";

type R = { q: string; a: string };
const answer = (r: R) => r.a;

/** Contribution `id` with `n` records; each fact is asked three ways with the same answer. */
function contribution(id: number, n: number): R[] {
  return Array.from({ length: n }, (_, i) => ({
    q: `c${id} fact ${Math.floor(i / 3)} asked way ${i % 3}`,
    a: `In contribution ${id} the answer to fact ${Math.floor(i / 3)} is value ${id * 100 + Math.floor(i / 3)}.`,
  }));
}

describe("held-out splits", () => {
  it("by contribution: whole contributions on one side, the same for the same seed", () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ id: BigInt(i + 1) }));
    const a = splitByContribution(items, 0.2, "seed");
    assert.equal(a.eval.length, 2);
    assert.equal(a.train.length, 8);
    assert.deepEqual(splitByContribution(items, 0.2, "seed"), a);
    assert.ok(a.eval.every((e) => !a.train.includes(e)));
  });

  it("by record: every contribution on both sides, disjoint, deterministic, interleaved, and measures paraphrases", () => {
    const data = new Map<bigint, R[]>([
      [1n, contribution(1, 30)],
      [2n, contribution(2, 30)],
      [3n, contribution(3, 1)],
    ]);
    const s = splitByRecord(data, 0.2, "seed", answer);
    assert.equal(s.heldOut, true);
    assert.equal(s.eval.length, 12, "round(0.2 × 30) from each contribution of two or more records");
    assert.equal(s.train.length, 61 - 12);
    assert.ok(
      s.eval.every((r) => !s.train.includes(r)),
      "no record on both sides",
    );
    assert.ok(s.train.includes(data.get(3n)![0]!), "a one-record contribution is trained on");
    assert.deepEqual(splitByRecord(data, 0.2, "seed", answer), s);
    assert.notDeepEqual(splitByRecord(data, 0.2, "other seed", answer).eval, s.eval);
    // Interleaved: the first two samples come from the two contributions.
    assert.deepEqual(new Set(s.eval.slice(0, 2).map((r) => r.q.slice(0, 2))), new Set(["c1", "c2"]));
    // Each fact is asked three times with one answer: a held-out question is a paraphrase unless
    // all three of its fact's records were held out.
    const expected = s.eval.filter((r) => s.train.some((t) => t.a === r.a)).length / s.eval.length;
    assert.equal(s.paraphraseShare, expected);
    assert.ok(s.paraphraseShare > 0.5);
  });

  it("by record: answers unlike any training answer are not counted as paraphrases", () => {
    const unique = new Map<bigint, R[]>([
      [1n, Array.from({ length: 10 }, (_, i) => ({ q: `q${i}`, a: `alpha${i} beta${i} gamma${i} delta${i}` }))],
    ]);
    assert.equal(splitByRecord(unique, 0.3, "seed", answer).paraphraseShare, 0);
  });

  it("nothing to hold out: in-sample, said so", () => {
    const one = new Map<bigint, R[]>([[1n, contribution(1, 1)]]);
    assert.equal(splitByRecord(one, 0.2, "seed", answer).heldOut, false);
    assert.equal(splitByRecord(new Map([[1n, contribution(1, 9)]]), 0, "seed", answer).heldOut, false);
  });
});
