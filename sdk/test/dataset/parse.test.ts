// Format-specific behaviour of the parser beyond the golden files and the bad-file corpus.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatFromName, parseDataset, serializeRecords, type DatasetRecord } from "../../src/dataset/index.ts";

const encode = (s: string) => new TextEncoder().encode(s);
const records = (
  text: string,
  input: Parameters<typeof parseDataset>[0] extends infer T ? Partial<T> : never = {},
  kinds?: DatasetRecord["kind"][],
) => {
  const result = parseDataset({ bytes: encode(text), ...input }, kinds ? { kinds } : {});
  assert.deepEqual(result.problems, []);
  return result.records;
};

describe("dataset parsing", () => {
  it("guesses the format from the file name, then from the content", () => {
    assert.equal(formatFromName("train.JSONL"), "jsonl");
    assert.equal(formatFromName("data.tsv"), "csv");
    assert.equal(formatFromName("notes.md"), "text");
    assert.equal(formatFromName("blob"), undefined);
    assert.equal(parseDataset({ bytes: encode('{"text":"x"}\n') }).format, "jsonl");
    assert.equal(parseDataset({ bytes: encode("plain words\n") }).format, "text");
  });

  it("accepts a file that uses CRLF throughout", () => {
    const crlf = records('{"instruction":"a","output":"b"}\r\n{"instruction":"c","output":"d"}\r\n', { format: "jsonl" });
    const lf = records('{"instruction":"a","output":"b"}\n{"instruction":"c","output":"d"}\n', { format: "jsonl" });
    assert.deepEqual(crlf, lf);
  });

  it("normalises Unicode to NFC so equal text hashes equally", () => {
    const nfd = records(`{"text":"Cafe\u0301"}\n`, { format: "jsonl" });
    const nfc = records(`{"text":"Caf\u00e9"}\n`, { format: "jsonl" });
    assert.deepEqual(serializeRecords(nfd), serializeRecords(nfc));
  });

  it("reads TSV and guesses CSV column mappings from the header", () => {
    assert.deepEqual(records("instruction\tinput\toutput\nq\t\ta\n", { fileName: "x.tsv" }), [
      { schema: "modelfactory.record/1", kind: "instruction", instruction: "q", input: "", output: "a" },
    ]);
    assert.deepEqual(records("id,text\n1,hello\n", { format: "csv" }), [{ schema: "modelfactory.record/1", kind: "text", text: "hello" }]);
  });

  it("skips blank lines in JSONL and accepts a missing final newline", () => {
    assert.equal(records('\n{"text":"a"}\n\n   \n{"text":"b"}', { format: "jsonl" }).length, 2);
  });

  it("limits record kinds to those a Datanet accepts", () => {
    const result = parseDataset({ bytes: encode('{"text":"x"}\n'), format: "jsonl" }, { kinds: ["instruction", "chat"] });
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.line, p.hint]),
      [["KIND_NOT_ALLOWED", 1, "Convert the record to instruction or chat form."]],
    );
  });

  it("maps ShareGPT roles onto canonical ones", () => {
    assert.deepEqual(records('{"conversations":[{"from":"human","value":"q"},{"from":"gpt","value":"a"}]}\n', { format: "jsonl" }), [
      {
        schema: "modelfactory.record/1",
        kind: "chat",
        messages: [
          { role: "user", content: "q" },
          { role: "assistant", content: "a" },
        ],
      },
    ]);
  });

  it("keeps no records at all when any record is bad", () => {
    const result = parseDataset({ bytes: encode('{"text":"fine"}\n{"text":""}\n'), format: "jsonl" });
    assert.equal(result.ok, false);
    assert.deepEqual(result.records, []);
  });
});

describe("browser safety", () => {
  it("dataset and browser-side content modules import no node: modules", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const src = new URL("../../src/", import.meta.url);
    const nodeOnly = new Set(["content/embedded.ts", "content/kubo-node.ts", "content/node.ts"]);
    for (const dir of ["dataset", "content"]) {
      for (const file of await readdir(new URL(`${dir}/`, src))) {
        if (nodeOnly.has(`${dir}/${file}`)) continue;
        const text = await readFile(new URL(`${dir}/${file}`, src), "utf8");
        assert.doesNotMatch(text, /from "node:/, `${dir}/${file}`);
        assert.doesNotMatch(text, /from "\.\/(embedded|kubo-node|node)\.ts"/, `${dir}/${file}`);
      }
    }
  });
});
