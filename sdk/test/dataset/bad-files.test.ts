// The bad-file corpus: each file → the exact problems (code, location, message, hint). Huge
// inputs are generated here rather than committed.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  DatasetInvalidError,
  DEFAULT_DATASET_LIMITS,
  parseDataset,
  prepareContribution,
  type DatasetInput,
  type DatasetProblem,
} from "../../src/dataset/index.ts";
import { BAD, expectedFile } from "./fixtures.ts";

const OPTIONS: Record<string, Partial<DatasetInput>> = {
  "missing-mapped-column.csv": { csv: { mapping: { kind: "instruction", instruction: "question", output: "response" } } },
};

describe("bad-file corpus", () => {
  const files = readdirSync(BAD)
    .filter((f) => f !== "expected.json")
    .sort();
  const actual: Record<string, { problemCount: number; problems: DatasetProblem[] }> = {};
  for (const file of files) {
    const result = parseDataset({ bytes: readFileSync(path.join(BAD, file)), fileName: file, ...OPTIONS[file] });
    actual[file] = { problemCount: result.problemCount, problems: result.problems };
  }
  const expected = JSON.parse(expectedFile(path.join(BAD, "expected.json"), `${JSON.stringify(actual, null, 2)}\n`).toString());

  it("covers every file in the corpus", () => {
    assert.deepEqual(Object.keys(expected).sort(), files);
    assert.ok(files.length >= 18);
  });
  for (const file of files) {
    it(`${file} → ${expected[file]?.problems.map((p: DatasetProblem) => p.code).join(", ")}`, () => {
      assert.deepEqual(actual[file], expected[file]);
      assert.ok(actual[file]!.problemCount > 0);
    });
  }

  it("refuses to prepare anything from a partially valid file", async () => {
    const bytes = readFileSync(path.join(BAD, "wrong-fields.jsonl"));
    await assert.rejects(prepareContribution({ bytes, fileName: "wrong-fields.jsonl" }), (error) => {
      assert.ok(error instanceof DatasetInvalidError);
      assert.equal(error.code, "DATASET_INVALID");
      assert.equal(error.problemCount, 5);
      assert.match(
        error.message,
        /line 2, field response: Field "response" is not part of this record shape\. Rename "response" to "output"\./,
      );
      return true;
    });
    assert.deepEqual(parseDataset({ bytes, fileName: "x.jsonl" }).records, []);
  });
});

describe("generated oversize inputs", () => {
  const encoder = new TextEncoder();

  it("a huge line is refused before it is parsed", () => {
    const huge = JSON.stringify({ instruction: "q", output: "x".repeat(200 * 1024) });
    const bytes = encoder.encode(`{"instruction":"ok","output":"fine"}\n${huge}\n`);
    const result = parseDataset({ bytes, format: "jsonl" });
    assert.deepEqual(result.problems, [
      {
        code: "LINE_TOO_LONG",
        message: "The line is 200 KiB, over the 128 KiB limit for one line.",
        hint: "Split the record; a record may be at most 32 KiB.",
        line: 2,
      },
    ]);
  });

  it("a record over 32 KiB in canonical form is refused, in every format", () => {
    const long = "y".repeat(40 * 1024);
    const jsonl = parseDataset({ bytes: encoder.encode(`${JSON.stringify({ instruction: "q", output: long })}\n`), format: "jsonl" });
    const text = parseDataset({ bytes: encoder.encode(`short\n\n${long}\n`), format: "text" });
    const csv = parseDataset({ bytes: encoder.encode(`text\nshort\n${long}\n`), format: "csv" });
    assert.deepEqual(
      [jsonl, text, csv].map((r) => r.problems.map((p) => [p.code, p.line, p.row, p.message])),
      [
        [["RECORD_TOO_LARGE", 1, undefined, "The record is 40.1 KiB in canonical form, over the 32 KiB limit."]],
        [["RECORD_TOO_LARGE", 3, undefined, "The record is 40.1 KiB in canonical form, over the 32 KiB limit."]],
        [["RECORD_TOO_LARGE", 3, 2, "The record is 40.1 KiB in canonical form, over the 32 KiB limit."]],
      ],
    );
  });

  it("a file over the contribution limit is refused without being decoded", () => {
    const bytes = new Uint8Array(DEFAULT_DATASET_LIMITS.maxContributionBytes + 1).fill(0x61);
    const result = parseDataset({ bytes, format: "text" });
    assert.deepEqual(result.problems, [
      {
        code: "FILE_TOO_LARGE",
        message: "The file is 52428801 B, over the 52428800 B limit for one contribution.",
        hint: "Split the dataset into several contributions.",
      },
    ]);
    const small = parseDataset({ bytes: encoder.encode("a\n\nb\n"), format: "text" }, { limits: { maxContributionBytes: 3 } });
    assert.equal(small.problems[0]?.message, "The file is 5 B, over the 3 B limit for one contribution.");
  });

  it("reports every problem, counting past the detail limit", () => {
    const bytes = encoder.encode(`${'{"instruction":"q"}\n'.repeat(2500)}`);
    const result = parseDataset({ bytes, format: "jsonl" });
    assert.equal(result.problemCount, 2500);
    assert.equal(result.problems.length, 1000);
    assert.equal(result.problems[999]?.line, 1000);
    const all = parseDataset({ bytes, format: "jsonl" }, { limits: { maxProblems: 5000 } });
    assert.equal(all.problems.length, 2500);
  });
});
