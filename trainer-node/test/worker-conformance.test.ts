// Protocol conformance: the real worker (the venv's Python, a tiny LLaMA) is driven through every
// command — info, load (plain and NF4), count_tokens, train with evaluation and checkpoints,
// evaluate, generate with streamed tokens, attribute, influence_index and influence, save, export, cancel, shutdown — and every line it sends is
// checked against the protocol's JSON Schemas (worker-protocol.ts, worker-results.ts) with unknown
// fields refused. A field renamed on either side fails here.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { WORKER_COMMANDS, type CommandResults, type WorkerCommandName } from "../src/worker-protocol.ts";
import { WorkerSchemas } from "../src/worker-schema.ts";
import { tinyModel } from "./helpers/stack.ts";
import { RawWorker, type Answer, type Line } from "./helpers/worker-process.ts";

const strict = new WorkerSchemas("reject");

const record = (i: number) =>
  JSON.stringify({
    schema: "modelfactory.record/1",
    kind: "instruction",
    instruction: `What is step ${i} of the pump manual?`,
    output: `Step ${i}: open valve ${i} and log it.`,
  });

/** The result of an answer that must be one, typed by the command it answers. */
function resultOf<C extends WorkerCommandName>(cmd: C, a: Answer): CommandResults[C] {
  assert.equal(a.end.event, "result", `${cmd} failed: ${JSON.stringify(a.end)}`);
  assert.equal(a.end.cmd, cmd);
  return a.end.result as CommandResults[C];
}

describe("worker protocol conformance (real worker, tiny model)", { timeout: 600_000 }, () => {
  let dir: string;
  let model: string;
  let data: { train: string; eval: string; mixed: string };
  let worker: RawWorker;
  const answered = new Set<string>();

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "mf-conformance-"));
    model = await tinyModel(path.join(dir, "models"));
    data = { train: path.join(dir, "train.jsonl"), eval: path.join(dir, "eval.jsonl"), mixed: path.join(dir, "mixed.jsonl") };
    await writeFile(data.train, Array.from({ length: 16 }, (_, i) => record(i)).join("\n") + "\n");
    await writeFile(data.eval, [record(100), record(101), record(102)].join("\n") + "\n");
    await writeFile(
      data.mixed,
      [
        record(7),
        JSON.stringify({
          schema: "modelfactory.record/1",
          kind: "chat",
          messages: [
            { role: "user", content: "Hi" },
            { role: "assistant", content: "Hello." },
          ],
        }),
        JSON.stringify({ schema: "modelfactory.record/1", kind: "text", text: "Pumps move water." }),
      ].join("\n") + "\n",
    );
    worker = new RawWorker();
  });
  after(async () => {
    worker?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async <C extends WorkerCommandName>(cmd: C, fields: Record<string, unknown> = {}) => {
    const a = await worker.request(cmd, fields);
    answered.add(cmd);
    return { ...a, result: resultOf(cmd, a) };
  };

  it("announces itself with a ready line naming the protocol and the device it computes on", async () => {
    const ready = await worker.ready();
    assert.equal(ready.protocol, "modelfactory.worker/1");
    assert.match(String(ready.compute_device), /^(cpu|cuda:\d+)$/);
  });

  it("answers info before and after load, with the device the model is on", async () => {
    const before = (await run("info")).result;
    assert.equal(before.loaded, null);
    assert.match(before.compute_device, /^(cpu|cuda:\d+)$/);
    const loaded = (await run("load", { model })).result;
    assert.equal(loaded.quantization, "none");
    assert.equal(loaded.quantized.bits_per_parameter, undefined, "nothing is quantized");
    const after = (await run("info")).result;
    assert.equal(after.loaded?.device, loaded.device);
    assert.equal(after.compute_device, loaded.device);
  });

  it("counts tokens of files and texts", async () => {
    const { result } = await run("count_tokens", { files: [data.mixed], texts: ["hello pump"], max_seq_len: 64 });
    assert.deepEqual(result.files[0]?.kinds, { instruction: 1, chat: 1, text: 1 });
    assert.equal(result.texts?.length, 1);
  });

  it("trains with evaluation steps and checkpoints, then evaluates base against tuned", async () => {
    const train = await run("train", {
      data: { train: data.train, eval: data.eval },
      output_dir: path.join(dir, "out"),
      adapter: "conf",
      config: { max_steps: 4, batch_size: 4, max_seq_len: 64, eval_every: 2, checkpoint_every: 2, lora: { r: 4, alpha: 8 } },
    });
    assert.equal(train.result.status, "completed");
    assert.ok(train.result.adapter_path && existsSync(train.result.adapter_path));
    assert.ok(
      train.events.some((e) => e.event === "progress" && typeof e.eval_loss === "number"),
      "an evaluation step",
    );
    assert.ok(
      train.events.some((e) => e.event === "checkpoint"),
      "a checkpoint",
    );
    const insights = {
      eval_contributions: ["1", "2", "3"],
      train: data.train,
      train_contributions: Array.from({ length: 16 }, (_, i) => String((i % 3) + 1)),
      max_train_records: 2,
    };
    const evaluated = (await run("evaluate", { data: data.eval, max_samples: 2, max_new_tokens: 4, max_seq_len: 64, insights })).result;
    assert.equal(evaluated.adapter, "conf");
    assert.ok(evaluated.perplexity_tuned && evaluated.generation_tuned && evaluated.memory);
    assert.deepEqual(
      evaluated.insights?.contributions.map((c) => [c.id, c.train?.records, c.held_out?.records]),
      [
        ["1", 2, 1],
        ["2", 2, 1],
        ["3", 2, 1],
      ],
    );
    assert.equal(evaluated.generation_base?.examples?.[0]?.prompt, "What is step 100 of the pump manual?");
  });

  it("streams generated tokens that concatenate to the answer, saves the adapter and exports the merged model", async () => {
    const gen = await run("generate", {
      messages: [{ role: "user", content: "What is step 1?" }],
      adapter: "conf",
      max_new_tokens: 6,
      stream: true,
    });
    const tokens = gen.events.filter((e) => e.event === "token");
    assert.ok(tokens.length > 0);
    assert.equal(tokens.map((t) => t.text).join(""), gen.result.text);
    assert.deepEqual(
      tokens.map((t) => t.index),
      tokens.map((_, i) => i),
    );
    const sources = { before: "Sources:\n", passages: ["\n[1] Step 1: open valve 1.\n", "\n[2] Pumps move water.\n"], after: "" };
    const attributed = (
      await run("attribute", {
        sources,
        messages: [{ role: "user", content: "What is step 1?" }],
        answer: gen.result.text || "Step 1",
        adapter: "conf",
      })
    ).result;
    assert.equal(attributed.method, "leave_one_out");
    assert.equal(attributed.forward_passes, 3);
    assert.ok(["new_words", "all"].includes(attributed.scope) && attributed.scored_tokens <= attributed.answer_tokens);
    assert.equal(attributed.passages.length, 2);
    const index = (
      await run("influence_index", {
        adapter: "conf",
        contributions: [
          { id: "7", records: data.train },
          { id: "9", records: data.eval },
        ],
        out: path.join(dir, "influence.safetensors"),
        dim: 256,
        per_contribution: 2,
      })
    ).result;
    assert.deepEqual(index.examples, { "7": 2, "9": 2 });
    const influence = (
      await run("influence", {
        adapter: "conf",
        index: index.path,
        messages: [{ role: "user", content: "What is step 1?" }],
        answer: "Step 1: open valve 1.",
      })
    ).result;
    assert.deepEqual(influence.ranking.map((r) => r.contribution).sort(), ["7", "9"]);
    const plain = await run("generate", { prompt: "Pumps", max_new_tokens: 3, stream: false });
    assert.equal(plain.events.length, 0);
    const saved = (await run("save", { path: path.join(dir, "saved"), adapter: "conf" })).result;
    assert.equal(saved.kind, "adapter");
    assert.ok(saved.files.includes("adapter_config.json"));
    const exported = (await run("export", { path: path.join(dir, "export"), adapter: "conf", formats: ["hf", "gguf-q8_0"], name: "conf" }))
      .result;
    assert.equal(exported.adapter, "conf");
    assert.ok(exported.files.hf?.files.includes("config.json"));
    assert.ok(exported.files["gguf-q8_0"] && existsSync(exported.files["gguf-q8_0"].path));
  });

  it("cancels a running train (result: cancelled) and says when nothing has the id", async () => {
    let cancel: Promise<Answer> | undefined;
    const long = worker.send(
      "train",
      {
        data: { train: data.train },
        output_dir: path.join(dir, "out-cancel"),
        adapter: "cancelled",
        config: { max_steps: 500, batch_size: 1, max_seq_len: 64 },
      },
      (line, id) => {
        if (line.event === "progress" && !cancel) cancel = worker.request("cancel", { target: id });
      },
    );
    const answer = await long.answer;
    assert.equal(resultOf("train", answer).status, "cancelled");
    assert.ok(cancel);
    assert.deepEqual(resultOf("cancel", await cancel).cancelled, true);
    assert.equal((await run("cancel", { target: "no-such-command" })).result.cancelled, false);
  });

  it("loads an NF4 base and reports the bits per parameter it stores", async () => {
    const { result } = await run("load", { model, quantization: "nf4" });
    assert.equal(result.quantization, "nf4");
    assert.ok(result.quantized.quantized_parameters > 0);
    const bits = result.quantized.bits_per_parameter;
    assert.ok(bits !== undefined && bits > 4 && bits < 4.6, `bits per parameter ${bits}`);
  });

  it("answers malformed commands with error lines", async () => {
    const unknown = await worker.request("no_such_command");
    assert.equal(unknown.end.event, "error");
    assert.equal(unknown.end.code, "unknown_command");
    // The worker lists the commands it knows: each needs its result schema in worker-results.ts.
    const known = (unknown.end.details as { known: string[] }).known;
    assert.deepEqual(
      [...known].sort(),
      [...WORKER_COMMANDS].sort(),
      "the worker's commands are the ones worker-protocol.ts types (WORKER_COMMANDS, RESULT_SCHEMAS)",
    );
    const bad = await worker.request("train", {});
    assert.equal(bad.end.code, "bad_request");
  });

  it("shuts down on request with an empty result and exit status 0", async () => {
    const { result } = await run("shutdown");
    assert.deepEqual(result, {});
    assert.equal(await worker.exited, 0);
  });

  it("sent only lines that match the protocol's schemas, for every command and every event", () => {
    const problems = worker.lines.flatMap((line: Line) =>
      strict.eventProblems(line).map(([field, problem]) => `${field} ${problem} in ${JSON.stringify(line).slice(0, 300)}`),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual([...answered].sort(), [...WORKER_COMMANDS].sort(), "every command was answered");
    assert.deepEqual([...new Set(worker.lines.map((l) => l.event))].sort(), [
      "checkpoint",
      "error",
      "progress",
      "ready",
      "result",
      "token",
    ]);
  });
});

describe("worker protocol schemas", () => {
  const loadResult: CommandResults["load"] = {
    model: "/models/tiny",
    model_type: "llama",
    device: "cpu",
    dtype: "float32",
    quantization: "nf4",
    quant_backend: "cpu-nf4",
    adapters: [],
    parameters: { total: 100, trainable: 0, quantized: 64 },
    quantized: { quantized_parameters: 64, stored_bytes: 33, bits_per_parameter: 4.127, ratio_to_bf16: 0.258 },
    vocab_size: 512,
    has_chat_template: true,
    max_position_embeddings: 256,
    memory: { rss_mb: 300, peak_rss_mb: 310 },
  };

  it("accept a conforming result", () => assert.deepEqual(strict.resultProblems("load", loadResult), []));

  it("name a renamed field, a missing one and a wrong type", () => {
    const { bits_per_parameter, ...rest } = loadResult.quantized;
    const renamed = { ...loadResult, quantized: { ...rest, bits_per_param: bits_per_parameter } };
    assert.deepEqual(strict.resultProblems("load", renamed), [["load.quantized.bits_per_param", "is not in the protocol's schema"]]);
    const { device: _device, ...noDevice } = loadResult;
    assert.deepEqual(strict.resultProblems("load", noDevice), [["load.device", "is missing"]]);
    const [problem] = strict.resultProblems("load", { ...loadResult, vocab_size: "512" });
    assert.equal(problem?.[0], "load.vocab_size");
  });

  it("let the daemon ignore a field a newer worker adds, but not a missing one", async () => {
    const { workerSchemas, WorkerProtocolError } = await import("../src/worker-schema.ts");
    assert.doesNotThrow(() => workerSchemas().result("load", { ...loadResult, new_field: 1 }));
    assert.throws(
      () => workerSchemas().result("load", { ...loadResult, quantized: { quantized_parameters: 64, bits_per_parameter: "4.1" } }),
      (e: unknown) => e instanceof WorkerProtocolError && e.field === "load.quantized.bits_per_parameter",
    );
  });
});
