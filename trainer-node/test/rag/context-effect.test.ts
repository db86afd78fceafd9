// Citation weights from measured effects: the worker's result becomes one effect per passage, the
// weights are the used passages' shares of the drop (basis points, summing to at most 10,000),
// a passage under the threshold is "retrieved, not used" at weight 0, and the reasons say so in
// words without quoting text. The worker side (the measurement itself) is tested in the worker's
// test_attribution.py on the real model, and end to end in chat.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildReceipt, describeCitationEffect, formatLikelihoodRatio, MAX_RECEIPT_WEIGHT, type CitationEffect } from "@modelfactory/sdk";
import { attribute, buildContext, contextParts } from "../../src/rag/attribution.ts";
import { effectsFromWorker, effectWeights, NOT_USED_NATS } from "../../src/rag/context-effect.ts";
import { DatanetIndex } from "../../src/rag/datanet-index.ts";
import type { AttributeResult } from "../../src/worker-protocol.ts";
import { meta } from "./fixtures.ts";
import { RECORD_SCHEMA } from "@modelfactory/sdk";

const effect = (logProbDrop: number): CitationEffect => ({
  logProbDrop,
  ratio: Math.exp(logProbDrop),
  surrogateWeight: logProbDrop,
  method: "leave-one-out",
  used: logProbDrop > NOT_USED_NATS,
});

function workerResult(drops: (number | null)[]): AttributeResult {
  return {
    adapter: null,
    method: "leave_one_out",
    answer_tokens: 9,
    scope: "new_words",
    scored_tokens: 4,
    log_prob: -6,
    forward_passes: drops.length + 1,
    seconds: 1,
    cpu_seconds: 2,
    passages: drops.map((d) => ({
      log_prob_without: d === null ? null : -6 - d,
      log_prob_drop: d,
      ratio: d === null ? null : Math.exp(d),
      weight: d,
    })),
  };
}

function retrieved() {
  const index = new DatanetIndex();
  const texts = [
    "The Aurora café brews espresso at 93 degrees Celsius.",
    "Aurora café espresso brew temperature is a question visitors ask.",
    "The bakery sells rye bread.",
  ];
  texts.forEach((text, i) => index.upsertContribution(meta(i + 1, 1), [{ schema: RECORD_SCHEMA, kind: "text", text }]));
  return index.search("Aurora café espresso temperature bakery bread", [1n], 3);
}

describe("citation weights from measured effects", () => {
  it("reads the worker's result in passage order and refuses a mismatched or non-finite one", () => {
    const effects = effectsFromWorker(workerResult([14.18, 2.0, 1.2, -0.02]), 4);
    assert.deepEqual(
      effects.map((e) => [e.logProbDrop, e.used, e.method]),
      [
        [14.18, true, "leave-one-out"],
        [2, true, "leave-one-out"],
        [1.2, false, "leave-one-out"],
        [-0.02, false, "leave-one-out"],
      ],
    );
    assert.throws(() => effectsFromWorker(workerResult([1, 2]), 3), /attributed 2 passages; 3 were sent/);
    assert.throws(() => effectsFromWorker(workerResult([1, null]), 2), /no finite effect for passage 2/);
  });

  it("weighs used passages by their share of the drop and pays nothing for the rest", () => {
    assert.deepEqual(effectWeights([effect(3), effect(1.5), effect(1.2), effect(-2)]), [6666, 3333, 0, 0]);
    assert.deepEqual(effectWeights([effect(0.2), effect(-1)]), [0, 0], "nothing used: no weight");
    const w = effectWeights([effect(3), effect(3), effect(3)]);
    assert.deepEqual(w, [3333, 3333, 3333]);
    assert.ok(w.reduce((a, b) => a + b, 0) <= MAX_RECEIPT_WEIGHT);
  });

  it("gives citations the effect, the weight from it and a reason that leads with it", () => {
    const r = retrieved();
    assert.equal(r.length, 3);
    const question = "What temperature does the Aurora café brew espresso at?";
    const answer = "The Aurora café brews espresso at 93 degrees Celsius.";
    // The lexical score would favour passage 2 (more shared question words); the effects say passage 1.
    const drops = r.map((p) => (p.contribution.contributionId === "1" ? 12 : p.contribution.contributionId === "2" ? 0.3 : 2.4));
    const citations = attribute({ question, answer, retrieved: r, effects: drops.map(effect) });
    const byId = Object.fromEntries(citations.map((c) => [c.contributionId, c]));
    assert.equal(byId["1"]!.weight, 8333);
    assert.equal(byId["3"]!.weight, 1666);
    assert.equal(byId["2"]!.weight, 0);
    assert.equal(byId["2"]!.effect?.used, false);
    assert.match(
      byId["1"]!.reason,
      /^Without this passage the answer becomes 160,000× less likely \(log-likelihood −12\.00 nats, leave-one-out\)\. Shares/,
    );
    assert.match(
      byId["2"]!.publicReason,
      /^Retrieved, not used: without this passage the answer becomes 1\.3× less likely \(log-likelihood −0\.30 nats, leave-one-out; not used below 1\.39 nats\)\. Shares \d+ terms? with the question and/,
    );
    assert.ok(!byId["1"]!.publicReason.includes("93"), "the public reason quotes no text");
    assert.throws(() => attribute({ question, answer, retrieved: r, effects: [effect(1)] }), /must be parallel/);
  });

  it("keeps the effect out of the public receipt, which states it in its committed reason", () => {
    const r = retrieved();
    const citations = attribute({
      question: "q",
      answer: "The Aurora café brews espresso at 93 degrees.",
      retrieved: r,
      effects: r.map((_, i) => effect(i === 0 ? 5 : 0)),
    });
    const { document, leaf } = buildReceipt({ modelId: 1n, question: "q", answer: "a", citations: citations.filter((c) => c.weight > 0) });
    assert.equal(document.citations.length, 1);
    assert.ok(!("effect" in document.citations[0]!));
    assert.match(document.citations[0]!.reason, /less likely/);
    assert.deepEqual(leaf.weights, [10_000]);
  });

  it("words the effect as a domain expert reads it", () => {
    assert.equal(describeCitationEffect({ logProbDrop: Math.log(4.1) }), "without this passage the answer becomes 4.1× less likely");
    assert.equal(describeCitationEffect({ logProbDrop: -Math.log(1.5) }), "without this passage the answer becomes 1.5× more likely");
    assert.equal(
      describeCitationEffect({ logProbDrop: 44 }),
      "without this passage the answer becomes more than a million times less likely",
    );
    assert.equal(formatLikelihoodRatio(37.4), "37×");
    assert.equal(formatLikelihoodRatio(12_345), "12,000×");
  });

  it("splits the context into the blocks the prompt shows, the same text buildContext joins", () => {
    const r = retrieved();
    const parts = contextParts(r);
    assert.equal(parts.header + parts.blocks.join(""), buildContext(r));
    assert.deepEqual(parts.included, r);
    const small = contextParts(r, { maxChars: parts.header.length + parts.blocks[0]!.length });
    assert.equal(small.blocks.length, 1, "passages that do not fit are left out, and not attributed");
  });
});
