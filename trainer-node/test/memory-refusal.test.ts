// Refuse, don't crash: a node with a memory limit (MF_MEMORY_LIMIT_MB) reports its memory in
// GET /health; pre-flight refuses a spec whose estimated peak exceeds it, naming changes that fit
// (and each named change, applied, passes pre-flight); and a job that skips pre-flight and runs
// out of memory fails on chain with an out-of-memory reason instead of hanging. A real local
// chain, content store, worker and tiny model; the limit is what makes memory scarce.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { JobState, Scope, SPEC_PRESETS, type NodeHealth, type PreflightReport, type TrainingSpec } from "@modelfactory/sdk";
import { startApi, type ApiServer } from "../src/api.ts";
import { TrainerNode } from "../src/trainer-node.ts";
import { eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

const LIMIT_MB = 1024;
// 131 072 tokens per micro-batch: several GiB of activations even for the tiny model.
const BIG = { batchSize: 128, maxLength: 1024, epochs: 1 };

describe("memory: refuse before the transaction, fail cleanly on chain", { timeout: 900_000 }, () => {
  let stack: Stack;
  let node: TrainerNode;
  let api: ApiServer;
  let datanet: bigint;

  before(async () => {
    stack = await startStack();
    const modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    datanet = await stack.createDatanet(0, 0);
    // Enough text that a packed micro-batch of BIG is full.
    for (const topic of ["pump", "valve", "gauge"]) await stack.contribute(datanet, qaJsonl(topic, 2000));
    await stack.grantBySignature(datanet, Scope.Train);
    node = new TrainerNode(await stack.nodeConfig("trainer", modelsDir, { memoryLimitMb: LIMIT_MB }), () => undefined);
    await node.start();
    api = await startApi(node);
  });
  after(async () => {
    await node?.stop();
    await api?.close();
    await stack?.stop();
  });

  const spec = (hyper: Partial<TrainingSpec["hyperparameters"]>): TrainingSpec => ({
    schema: "modelfactory.spec/1",
    name: "memory test",
    description: "",
    baseModel: "tiny-llama",
    method: "lora",
    datanetIds: [datanet.toString()],
    evalFraction: 0.34,
    hyperparameters: { ...SPEC_PRESETS.quick.hyperparameters, ...BIG, ...hyper },
  });
  const preflight = async (s: TrainingSpec): Promise<PreflightReport> => {
    const res = await fetch(`${api.url}/v1/preflight`, { method: "POST", body: JSON.stringify({ spec: s }) });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as PreflightReport;
  };

  it("reports the device's memory and the node's limit in GET /health", async () => {
    const health = await eventually("memory in /health", async () => {
      const h = (await (await fetch(`${api.url}/health`)).json()) as NodeHealth;
      return h.memory === null ? undefined : h;
    });
    const m = health.memory!;
    assert.equal(m.kind, health.device === "cpu" ? "cpu" : "cuda");
    assert.equal(m.limitBytes, LIMIT_MB * 1024 * 1024);
    assert.ok(m.totalBytes > 0 && m.availableBytes > 0 && m.availableBytes <= m.totalBytes);
    // The limit is on top of the worker's runtime, far below this machine's memory.
    assert.ok(m.availableBytes < m.limitBytes! + 2048 * 1024 * 1024, String(m.availableBytes));
  });

  it("refuses a spec that does not fit, naming changes that do, each of which passes", async () => {
    const report = await preflight(spec({}));
    assert.equal(report.ok, false);
    const fit = report.memoryFit!;
    assert.ok(fit && !fit.fits && fit.estimatedPeakBytes > fit.availableBytes, JSON.stringify(fit));
    const refusal = report.problems.find((p) => p.severity === "error" && /needs about/.test(p.message));
    assert.ok(refusal, JSON.stringify(report.problems));
    assert.match(refusal.message, /What would fit: /);
    assert.ok(fit.alternatives.length > 0);
    for (const a of fit.alternatives) assert.ok(a.estimatedPeakBytes < fit.availableBytes, a.change);
    const batch = fit.alternatives.map((a) => /^batch size (\d+)/.exec(a.change)).find(Boolean);
    const length = fit.alternatives.map((a) => /^max length (\d+)/.exec(a.change)).find(Boolean);
    assert.ok(batch && length, JSON.stringify(fit.alternatives));
    for (const hyper of [{ batchSize: Number(batch[1]) }, { maxLength: Number(length[1]) }]) {
      const again = await preflight(spec(hyper));
      assert.equal(again.memoryFit?.fits, true, JSON.stringify(hyper));
      assert.equal(again.ok, true, JSON.stringify(again.problems));
    }
    // A small run fits as it is and names no alternatives.
    const small = await preflight(spec({ batchSize: 4, maxLength: 96 }));
    assert.deepEqual([small.ok, small.memoryFit?.fits, small.memoryFit?.alternatives], [true, true, []]);
  });

  it("fails a job that runs out of memory on chain with that message", async () => {
    // Created directly, as a builder who ignored pre-flight would: the node runs it under its limit.
    const jobId = await stack.createJob([datanet], {}, BIG);
    const reason = await eventually("the job's JobFailed event", () => stack.failureOf(jobId), 600_000);
    assert.match(reason, /^Out of memory while training \(this node caps a job at 1024 MiB\): out of memory during 'train'/);
    assert.match(reason, /QLoRA, a smaller batch size, a shorter max length or gradient checkpointing/);
    const [, state] = await stack.contracts.jobs.read.getJob([jobId]);
    assert.equal(state, JobState.Failed);
    assert.equal(node.journal.getJob(jobId.toString())?.phase, "failed");
  });
});
