// Golden files: each input format → canonical bytes, content hash and CID, identical on every
// run and platform. Hashes are re-derived with node:crypto and the canonical lines with
// Python's json module, independently of the code under test.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parseCanonicalRecords, parseDataset, prepareContribution, serializeRecords, type DatasetInput } from "../../src/dataset/index.ts";
import { expectedFile, GOLDEN } from "./fixtures.ts";

const CASES: Array<{ file: string; input?: Partial<DatasetInput> }> = [
  { file: "instruction.jsonl" },
  { file: "chat.jsonl" },
  { file: "sharegpt.jsonl" },
  { file: "passages.txt" },
  { file: "qa.csv", input: { csv: { mapping: { kind: "instruction", instruction: "question", input: "context", output: "answer" } } } },
  { file: "canonical.jsonl" },
];

type Golden = Record<string, { contentHash: string; cid: string; recordCount: number; byteSize: number }>;

describe("golden canonical form", async () => {
  const hashes: Golden = {};
  const prepared = await Promise.all(
    CASES.map(async ({ file, input }) => {
      const bytes = readFileSync(path.join(GOLDEN, file));
      const result = await prepareContribution({ bytes, fileName: file, ...input });
      hashes[file] = {
        contentHash: result.contentHash,
        cid: result.cid.toString(),
        recordCount: result.recordCount,
        byteSize: result.bytes.length,
      };
      return { file, bytes, input, result };
    }),
  );
  const golden = JSON.parse(expectedFile(path.join(GOLDEN, "expected.json"), `${JSON.stringify(hashes, null, 2)}\n`).toString()) as Golden;

  for (const { file, bytes, input, result } of prepared) {
    it(`${file} canonicalises to its golden file, hash and CID`, async () => {
      const canonicalPath = path.join(GOLDEN, file.replace(/\.\w+$/, ".canonical.jsonl"));
      assert.deepEqual(Buffer.from(result.bytes), expectedFile(canonicalPath, result.bytes));
      assert.deepEqual(hashes[file], golden[file]);
      assert.equal(result.contentHash, `0x${createHash("sha256").update(result.bytes).digest("hex")}`);
      const again = await prepareContribution({ bytes, fileName: file, ...input });
      assert.deepEqual(again.bytes, result.bytes);
    });

    it(`${file}: the canonical form is a fixed point and reads back`, () => {
      const reparsed = parseDataset({ bytes: result.bytes, format: "jsonl" });
      assert.equal(reparsed.ok, true);
      assert.deepEqual(serializeRecords(reparsed.records), result.bytes);
      assert.deepEqual(parseCanonicalRecords(result.bytes), result.records);
    });
  }

  it("Python's json module writes the same canonical lines", (t) => {
    const script = [
      "import json, sys",
      "for name in sys.argv[1:]:",
      "    data = open(name, 'rb').read().decode('utf-8')",
      "    assert data.endswith('\\n'), name",
      "    for line in data[:-1].split('\\n'):",
      "        again = json.dumps(json.loads(line), ensure_ascii=False, separators=(',', ':'))",
      "        assert again == line, (name, line, again)",
      "print('ok')",
    ].join("\n");
    const files = prepared.map(({ file }) => path.join(GOLDEN, file.replace(/\.\w+$/, ".canonical.jsonl")));
    const run = spawnSync("python3", ["-c", script, ...files], { encoding: "utf8" });
    if (run.error) return t.skip("python3 is not available");
    assert.equal(run.stderr, "");
    assert.equal(run.stdout.trim(), "ok");
  });
});
