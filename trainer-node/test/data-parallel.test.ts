// MF_WORKER_PROCESSES: a node configured for N data-parallel processes trains its jobs through
// the worker's accelerate path (here 2 CPU processes over gloo) and completes them as usual.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { JobEvent } from "@modelfactory/sdk";
import { TrainerNode } from "../src/trainer-node.ts";
import { eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

describe("data-parallel jobs", { timeout: 600_000 }, () => {
  let stack: Stack;
  let node: TrainerNode;
  before(async () => {
    stack = await startStack();
    const modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    node = new TrainerNode(await stack.nodeConfig("trainer", modelsDir, { workerProcesses: 2 }), () => undefined);
    await node.start();
  });
  after(async () => {
    await node?.stop();
    await stack?.stop();
  });

  it("trains a job on 2 processes and completes it on chain", async () => {
    const datanet = await stack.createDatanet(0, 0);
    await stack.contribute(datanet, qaJsonl("valve", 12));
    await stack.contribute(datanet, qaJsonl("gasket", 12));
    const jobId = await stack.createJob([datanet]);
    const summary = await eventually(
      "job completion",
      () => {
        const s = node.journal.getJob(jobId.toString());
        if (s?.phase === "failed") throw new Error(`job failed: ${s.failureReason}`);
        return s?.phase === "completed" ? s : undefined;
      },
      300_000,
    );
    assert.ok(summary.modelId);
    const events = node.journal.eventsOf(jobId.toString()) as JobEvent[];
    const logs = events.filter((e) => e.type === "log").map((e) => (e as { message: string }).message);
    assert.ok(logs.includes("trained data-parallel on 2 processes"), logs.join("\n"));
    assert.ok(
      events.some((e) => e.type === "progress"),
      "rank 0's progress reaches the journal",
    );
  });
});
