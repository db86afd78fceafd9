// The result cache: a job whose inputs are byte-identical to an earlier run on the node
// publishes that run's adapter (same on-chain hash) without starting a worker; any changed input
// changes the key; a damaged entry is dropped and the job trains as usual.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Scope, type JobEvent, type JobSummary } from "@modelfactory/sdk";
import { PROBE_METHOD } from "../src/influence-probe.ts";
import { ResultCache, runKey, type CacheInputs } from "../src/result-cache.ts";
import { TrainerNode } from "../src/trainer-node.ts";
import { WORKER_DIR, eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";
import { qloraRun } from "./helpers/worker-fixture.ts";

describe("result cache: keys and entries", () => {
  let dir: string;
  let inputs: CacheInputs;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "mf-result-cache-"));
    const model = path.join(dir, "model");
    await mkdir(model);
    await writeFile(path.join(model, "config.json"), '{"model_type":"llama"}');
    await writeFile(path.join(model, "model.safetensors"), "weights");
    await writeFile(path.join(dir, "train.jsonl"), "a\n");
    await writeFile(path.join(dir, "eval.jsonl"), "b\n");
    inputs = {
      modelDir: model,
      workerDir: WORKER_DIR,
      trainConfig: { method: "lora", learning_rate: 0.001, eval_every: 10, checkpoint_every: 10 },
      quantization: "none",
      trainFile: path.join(dir, "train.jsonl"),
      evalFile: path.join(dir, "eval.jsonl"),
      evaluateArgs: { max_samples: 8 },
    };
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it("is the same for the same inputs and different when any input changes", async () => {
    const key = await runKey(inputs);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(await runKey({ ...inputs }), key);
    // How often progress is checkpointed does not change the result; how often it is evaluated
    // does (the best evaluation's weights are published).
    assert.equal(await runKey({ ...inputs, trainConfig: { ...inputs.trainConfig, checkpoint_every: 0 } }), key);
    assert.notEqual(await runKey({ ...inputs, trainConfig: { ...inputs.trainConfig, eval_every: 3 } }), key);
    assert.notEqual(await runKey({ ...inputs, trainConfig: { ...inputs.trainConfig, learning_rate: 0.002 } }), key);
    assert.notEqual(await runKey({ ...inputs, quantization: "nf4" }), key);
    assert.notEqual(await runKey({ ...inputs, evaluateArgs: { max_samples: 9 } }), key);
    assert.notEqual(await runKey({ ...inputs, evalFile: inputs.trainFile }), key);
    assert.notEqual(
      await runKey({ ...inputs, influenceSettings: { per_contribution: 4 } }),
      key,
      "how the influence index is built is part of the run",
    );
    await writeFile(path.join(inputs.modelDir, "model.safetensors"), "other weights");
    assert.notEqual(await runKey(inputs), key, "a changed weight file changes the key");
  });

  it("stores a run atomically, hands back a copy of its adapter, and drops a damaged entry", async () => {
    const cache = new ResultCache(path.join(dir, "cache"));
    const adapter = path.join(dir, "adapter");
    await mkdir(adapter);
    await writeFile(path.join(adapter, "adapter_config.json"), "{}");
    await writeFile(path.join(adapter, "adapter_model.safetensors"), "lora");
    const key = "a".repeat(64);
    assert.equal(await cache.get(key, path.join(dir, "out1")), undefined);
    const { load: loaded, train, evaluate: evaluated, progress } = qloraRun;
    await cache.put(key, { loaded, trained: { ...train, adapter_path: adapter }, evaluated, progress });
    assert.deepEqual((await readdir(cache.dir)).sort(), [key], "no temporary folder left behind");
    const hit = await cache.get(key, path.join(dir, "out1"));
    assert.ok(hit);
    assert.equal(hit.trained.adapter_path, path.join(dir, "out1"));
    assert.equal(hit.trained.final_loss, train.final_loss);
    assert.deepEqual(hit.evaluated, evaluated);
    assert.deepEqual(hit.loaded, loaded);
    assert.deepEqual(hit.progress, progress);
    assert.equal(await readFile(path.join(dir, "out1", "adapter_model.safetensors"), "utf8"), "lora");
    assert.equal(hit.influence, undefined, "a run stored without an influence index has none");

    // A run with its influence index: the file comes back beside the adapter, at the path asked for.
    const indexKey = "b".repeat(64);
    const indexFile = path.join(dir, "index.safetensors");
    await writeFile(indexFile, "features");
    const influence = {
      path: indexFile,
      contributions: 1,
      dim: 64,
      examples: { "1": 2 },
      skipped: [],
      adapter_spec: "c".repeat(64),
      seconds: 0.5,
    };
    await cache.put(indexKey, { loaded, trained: { ...train, adapter_path: adapter }, evaluated, progress, influence });
    const withIndex = await cache.get(indexKey, path.join(dir, "out-index"), path.join(dir, "replayed-index.safetensors"));
    assert.deepEqual(withIndex?.influence, { ...influence, path: path.join(dir, "replayed-index.safetensors") });
    assert.equal(await readFile(path.join(dir, "replayed-index.safetensors"), "utf8"), "features");

    // The report's training-influence probe, measured with that index, comes back with it; a
    // malformed one drops the entry like any damaged result.
    const probeKey = "d".repeat(64);
    const probe = {
      method: PROBE_METHOD,
      questions: 1,
      recallAt1: 1,
      recallAt3: 1,
      secondsPerAnswer: 0.7,
      cases: [{ contributionId: "1", rank: 1, score: 0.93 }],
    };
    await cache.put(probeKey, { loaded, trained: { ...train, adapter_path: adapter }, evaluated, progress, influence, probe });
    const withProbe = await cache.get(probeKey, path.join(dir, "out-probe"), path.join(dir, "probe-index.safetensors"));
    assert.deepEqual(withProbe?.probe, probe);
    assert.equal(
      (await cache.get(probeKey, path.join(dir, "out-probe2")))?.probe,
      undefined,
      "without its index the probe measured with it is not handed back",
    );
    const badProbe = JSON.parse(await readFile(path.join(cache.dir, probeKey, "run.json"), "utf8"));
    badProbe.probe.recallAt1 = 2;
    await writeFile(path.join(cache.dir, probeKey, "run.json"), JSON.stringify(badProbe));
    assert.equal(await cache.get(probeKey, path.join(dir, "out-probe3"), path.join(dir, "probe-index3.safetensors")), undefined);

    // An entry whose results no longer follow the worker protocol is dropped like a damaged one.
    const stale = JSON.parse(await readFile(path.join(cache.dir, key, "run.json"), "utf8"));
    delete stale.loaded.quantized;
    await writeFile(path.join(cache.dir, key, "run.json"), JSON.stringify(stale));
    assert.equal(await cache.get(key, path.join(dir, "out1b")), undefined);
    assert.equal(existsSync(path.join(cache.dir, key)), false, "the entry that does not follow the protocol is removed");
    await cache.put(key, { loaded, trained: { ...train, adapter_path: adapter }, evaluated, progress });

    await writeFile(path.join(cache.dir, key, "run.json"), "{not json");
    assert.equal(await cache.get(key, path.join(dir, "out2")), undefined);
    assert.equal(existsSync(path.join(cache.dir, key)), false, "the damaged entry is removed");
    await assert.rejects(cache.get("../x", path.join(dir, "out3")), /malformed key/);
  });
});

describe("result cache: a node reuses an identical run", { timeout: 600_000 }, () => {
  let stack: Stack;
  let node: TrainerNode;
  let cacheDir: string;
  before(async () => {
    stack = await startStack();
    const modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    cacheDir = path.join(stack.tmp, "result-cache");
    node = new TrainerNode(await stack.nodeConfig("trainer", modelsDir, { resultCacheDir: cacheDir }), () => undefined);
    await node.start();
  });
  after(async () => {
    await node?.stop();
    await stack?.stop();
  });

  const completed = (jobId: bigint) =>
    eventually(
      `job ${jobId} completion`,
      () => {
        const s = node.journal.getJob(jobId.toString()) as JobSummary | undefined;
        if (s?.phase === "failed") throw new Error(`job ${jobId} failed: ${s.failureReason}`);
        return s?.phase === "completed" ? s : undefined;
      },
      300_000,
    );

  it("publishes the earlier run's adapter for a job with identical inputs, without training", async () => {
    // One contribution: the split is in-sample whatever the job id, so two jobs with the same
    // spec get byte-identical train and eval files.
    // An open Datanet: a job over a permissioned one is sealed and kept out of the cache
    // (unless MF_RESULT_CACHE_PERMISSIONED), which is not what this test is about.
    const datanet = await stack.createDatanet(0, 0);
    await stack.contribute(datanet, qaJsonl("kettle", 16));
    await stack.grantBySignature(datanet, Scope.Train);
    const first = await stack.createJob([datanet]);
    const a = await completed(first);
    assert.equal((await readdir(cacheDir)).length, 1, "the completed run is cached");

    const second = await stack.createJob([datanet]);
    const b = await completed(second);
    const [, , hashA] = await stack.contracts.jobs.read.getModel([BigInt(a.modelId!)]);
    const [, , hashB] = await stack.contracts.jobs.read.getModel([BigInt(b.modelId!)]);
    assert.equal(hashB, hashA, "the same adapter bytes are published");

    const events = node.journal.eventsOf(second.toString()) as JobEvent[];
    const logs = events.filter((e) => e.type === "log").map((e) => (e as { message: string }).message);
    assert.ok(
      logs.some((m) => m.includes("result cache") && m.includes("reusing")),
      logs.join("\n"),
    );
    const curveA = node.journal
      .eventsOf(first.toString())
      .filter((e) => e.type === "progress")
      .map((e) => (e as { loss: number }).loss);
    const curveB = events.filter((e) => e.type === "progress").map((e) => (e as { loss: number }).loss);
    assert.ok(curveA.length > 0);
    assert.deepEqual(curveB, curveA, "the dashboard gets the earlier run's curve");
    const reportA = JSON.parse(await readFile(path.join(stack.tmp, "node-trainer", "jobs", first.toString(), "metrics.json"), "utf8"));
    const reportB = JSON.parse(await readFile(path.join(stack.tmp, "node-trainer", "jobs", second.toString(), "metrics.json"), "utf8"));
    assert.deepEqual(reportB.perplexity, reportA.perplexity);
    // The training-influence index is replayed from the entry too: the same file, committed in both manifests.
    const manifestA = JSON.parse(await readFile(path.join(stack.tmp, "node-trainer", "jobs", first.toString(), "manifest.json"), "utf8"));
    const manifestB = JSON.parse(await readFile(path.join(stack.tmp, "node-trainer", "jobs", second.toString(), "manifest.json"), "utf8"));
    assert.match(manifestA.influenceIndex?.sha256 ?? "", /^0x[0-9a-f]{64}$/, "the first run built an index");
    assert.deepEqual(manifestB.influenceIndex, manifestA.influenceIndex);
    assert.ok(!logs.some((m) => m.startsWith("training influence index:")), "the cached index is not rebuilt");
  });
});
