// The report's training-influence probe: which held-out questions it asks (one per indexed
// contribution in turn, only records with a question and an answer), and how a cached probe is
// read back. The probe on a real job, against the worker, is in training-influence.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RECORD_SCHEMA, type DatasetRecord } from "@modelfactory/sdk";
import { checkProbe, PROBE_METHOD, PROBE_QUESTIONS, probeCases } from "../src/influence-probe.ts";

const qa = (q: string, a: string): DatasetRecord => ({ schema: RECORD_SCHEMA, kind: "instruction", instruction: q, input: "", output: a });
const held = (contributionId: string, record: DatasetRecord) => ({ contributionId, record });

describe("training-influence probe: the questions it asks", () => {
  it("takes one question per indexed contribution in turn, in the order they first appear", () => {
    const heldOut = [
      held("3", qa("q3a", "a3a")),
      held("3", qa("q3b", "a3b")),
      held("5", qa("q5a", "a5a")),
      held("9", qa("q9a", "a9a")),
      held("3", qa("q3c", "a3c")),
    ];
    const cases = probeCases(heldOut, new Set(["3", "5"]), 3);
    assert.deepEqual(
      cases.map((c) => [c.contributionId, c.messages.at(-1)?.content, c.answer]),
      [
        ["3", "q3a", "a3a"],
        ["5", "q5a", "a5a"],
        ["3", "q3b", "a3b"],
      ],
      "contribution 9 is not in the index; the second round starts with contribution 3",
    );
    assert.deepEqual(cases[0]!.messages, [{ role: "user", content: "q3a" }], "the conversation without its answer");
    assert.equal(probeCases(heldOut, new Set(["3", "5"])).length, 4, "every usable question when fewer than the default");
    assert.ok(PROBE_QUESTIONS >= 4);
  });

  it("asks a chat record up to its last answer and skips text records and empty answers", () => {
    const chat: DatasetRecord = {
      schema: RECORD_SCHEMA,
      kind: "chat",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello." },
        { role: "user", content: "Which valve?" },
        { role: "assistant", content: "Valve 2." },
      ],
    };
    const cases = probeCases(
      [held("1", { schema: RECORD_SCHEMA, kind: "text", text: "plain prose" }), held("1", qa("q", " ")), held("2", chat)],
      new Set(["1", "2"]),
    );
    assert.equal(cases.length, 1);
    assert.equal(cases[0]!.answer, "Valve 2.");
    assert.deepEqual(
      cases[0]!.messages.map((m) => m.role),
      ["system", "user", "assistant", "user"],
    );
    assert.deepEqual(probeCases([], new Set(["1"])), []);
  });
});

describe("training-influence probe: read back from the result cache", () => {
  const probe = {
    method: PROBE_METHOD,
    questions: 2,
    recallAt1: 0.5,
    recallAt3: 1,
    secondsPerAnswer: 1.9,
    cases: [
      { contributionId: "4", rank: 1, score: 0.91 },
      { contributionId: "7", rank: 2, score: 0.4 },
    ],
  };
  it("returns a well-formed probe field by field", () => {
    assert.deepEqual(checkProbe(JSON.parse(JSON.stringify(probe))), probe);
    assert.deepEqual(checkProbe({ ...probe, cases: [probe.cases[0], { contributionId: "7", rank: null, score: null }] }).cases[1], {
      contributionId: "7",
      rank: null,
      score: null,
    });
  });
  it("names the first malformed field", () => {
    assert.throws(() => checkProbe(null), /'\(probe\)'/);
    assert.throws(() => checkProbe({ ...probe, recallAt1: 1.5 }), /'recallAt1'/);
    assert.throws(() => checkProbe({ ...probe, questions: 3 }), /'cases'/);
    assert.throws(() => checkProbe({ ...probe, cases: [probe.cases[0], { contributionId: "x", rank: 1, score: 0 }] }), /'cases'/);
    assert.throws(() => checkProbe({ ...probe, method: 4 }), /'method'/);
  });
});
