// What a node publishes and reports comes from what its worker measured: a QLoRA job's report
// carries the bits per parameter the worker's `load` measured (not the 4.127 of the NF4 format on
// paper), and the device the worker used; GET /health shows the device the worker says it
// computes on. Checked against a separate worker asked directly, on a real local stack.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Scope, type EvaluationReport, type JobSummary, type NodeHealth } from "@modelfactory/sdk";
import { startApi, type ApiServer } from "../src/api.ts";
import { TrainerNode } from "../src/trainer-node.ts";
import type { CommandResults } from "../src/worker-protocol.ts";
import { eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";
import { RawWorker } from "./helpers/worker-process.ts";

describe("worker seam: measured values reach the report and /health", { timeout: 600_000 }, () => {
  let stack: Stack;
  let node: TrainerNode;
  let api: ApiServer;
  let model: string;
  before(async () => {
    stack = await startStack();
    const modelsDir = path.join(stack.tmp, "models");
    model = await tinyModel(modelsDir);
    await stack.admit("trainer");
    node = new TrainerNode(await stack.nodeConfig("trainer", modelsDir), () => undefined);
    await node.start();
    api = await startApi(node);
  });
  after(async () => {
    await node?.stop();
    await api?.close();
    await stack?.stop();
  });

  /** What a worker of its own says, asked directly. */
  async function ask(): Promise<{ info: CommandResults["info"]; nf4: CommandResults["load"] }> {
    const worker = new RawWorker();
    try {
      const info = (await worker.request("info")).end.result as CommandResults["info"];
      const nf4 = (await worker.request("load", { model, quantization: "nf4" })).end.result as CommandResults["load"];
      return { info, nf4 };
    } finally {
      worker.kill();
    }
  }

  it("shows the device the worker computes on in GET /health", async () => {
    const { info } = await ask();
    const health = await eventually("a device in /health", async () => {
      const h = (await (await fetch(`${api.url}/health`)).json()) as NodeHealth;
      return h.device === null ? undefined : h;
    });
    assert.equal(health.device, info.compute_device);
  });

  it("publishes a QLoRA report with the bits per parameter and the device the worker measured", async () => {
    const datanet = await stack.createDatanet(1, 0);
    await stack.contribute(datanet, qaJsonl("pump", 10));
    await stack.contribute(datanet, qaJsonl("valve", 10));
    await stack.grantBySignature(datanet, Scope.Train);
    const jobId = await stack.createJob([datanet], { method: "qlora" }, { epochs: 1 });
    const summary = await eventually(
      "QLoRA job completion",
      () => {
        const s = node.journal.getJob(jobId.toString()) as JobSummary | undefined;
        if (s?.phase === "failed") throw new Error(`job ${jobId} failed: ${s.failureReason}`);
        return s?.phase === "completed" ? s : undefined;
      },
      400_000,
    );
    const report = (await (await fetch(`${api.url}/v1/jobs/${summary.jobId}/metrics`)).json()) as EvaluationReport;
    const { nf4 } = await ask();
    assert.equal(report.method, "qlora");
    assert.ok(nf4.quantized.bits_per_parameter !== undefined);
    assert.equal(report.memory.bitsPerParameter, nf4.quantized.bits_per_parameter, "what load measured");
    assert.notEqual(report.memory.bitsPerParameter, 4.127, "not the format's nominal bits");
    assert.equal(report.memory.device, nf4.device);
  });
});
