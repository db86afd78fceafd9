// Two nodes racing for one job (exactly one trains), and workers that crash or hang during
// training (detected; the job fails on chain with the reason, never stays "running").
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { JobState, trainingJobsAbi } from "@modelfactory/sdk";
import { startApi } from "../src/api.ts";
import { TrainerNode } from "../src/trainer-node.ts";
import { eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

describe("nodes and workers", { timeout: 600_000 }, () => {
  let stack: Stack;
  let modelsDir: string;
  const nodes: TrainerNode[] = [];
  const failureOf = (jobId: bigint) => stack.failureOf(jobId);

  before(async () => {
    stack = await startStack();
    modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    await stack.admit("trainer2");
  });
  after(async () => {
    for (const n of nodes) await n.stop();
    await stack?.stop();
  });

  it("lets exactly one of two racing nodes train a job", async () => {
    const a = new TrainerNode(await stack.nodeConfig("trainer", modelsDir), () => undefined);
    const b = new TrainerNode(await stack.nodeConfig("trainer2", modelsDir), () => undefined);
    nodes.push(a, b);
    await Promise.all([a.start(), b.start()]);
    const datanet = await stack.createDatanet(0, 0);
    await stack.contribute(datanet, qaJsonl("race", 8));
    await stack.contribute(datanet, qaJsonl("track", 8));
    const jobId = await stack.createJob([datanet], {}, { epochs: 1 });
    await eventually("completion", async () =>
      (await stack.contracts.jobs.read.getJob([jobId]))[1] === JobState.Completed ? true : undefined,
    );
    const trainedBy = [a, b].filter((n) => n.journal.getJob(jobId.toString()) !== undefined);
    assert.equal(trainedBy.length, 1, "one node holds the job");
    const [, , , trainer] = await stack.contracts.jobs.read.getJob([jobId]);
    assert.equal(trainer.toLowerCase(), trainedBy[0]!.chain.account.address.toLowerCase());
    const completed = await stack.publicClient.getContractEvents({
      address: stack.contracts.jobs.address,
      abi: trainingJobsAbi,
      eventName: "JobCompleted",
      args: { jobId },
      fromBlock: 0n,
    });
    assert.equal(completed.length, 1);
    for (const n of [a, b]) await n.stop();
  });

  for (const [kind, signal, reason] of [
    // SIGKILL is what the kernel's out-of-memory killer sends: the reason says so and what to try.
    [
      "crashes",
      "SIGKILL",
      /The model worker was killed \(SIGKILL\) while training, most likely by the kernel for lack of memory\. Try QLoRA/,
    ],
    ["hangs", "SIGSTOP", /The model worker failed: The model worker sent nothing for 4 s during 'train'/],
  ] as const) {
    it(`fails the job when its worker ${kind} mid-training`, async () => {
      const node = new TrainerNode(
        await stack.nodeConfig("trainer", modelsDir, { workerHangMs: 4000, dataDir: path.join(stack.tmp, `node-${kind}`) }),
        () => undefined,
      );
      nodes.push(node);
      await node.start();
      const datanet = await stack.createDatanet(0, 0);
      await stack.contribute(datanet, qaJsonl(`w${kind}a`, 40));
      await stack.contribute(datanet, qaJsonl(`w${kind}b`, 40));
      const jobId = await stack.createJob([datanet], {}, { epochs: 50, batchSize: 2 });
      const pid = await eventually("training progress", () => {
        const runner = node.running.get(jobId.toString());
        const summary = node.journal.getJob(jobId.toString());
        if (summary?.phase === "failed") throw new Error(`failed before training: ${summary.failureReason}`);
        return summary?.progress && summary.progress.step >= 2 ? runner?.workerPid : undefined;
      });
      process.kill(pid, signal);
      const failure = await eventually("on-chain failure", () => failureOf(jobId), 60_000);
      assert.match(failure, reason);
      await eventually("the runner to finish", () => (node.running.size === 0 ? true : undefined), 30_000);
      assert.equal(node.journal.getJob(jobId.toString())?.phase, "failed");
      await node.stop();
    });
  }

  it("stops a job within a step when its builder cancels it, and refuses anyone else", async () => {
    const node = new TrainerNode(
      await stack.nodeConfig("trainer", modelsDir, { dataDir: path.join(stack.tmp, "node-cancel") }),
      () => undefined,
    );
    nodes.push(node);
    await node.start();
    const api = await startApi(node);
    try {
      const signIn = (who: "builder" | "other") => stack.signIn(api.url, who);
      const datanet = await stack.createDatanet(0, 0);
      await stack.contribute(datanet, qaJsonl("cancel-a", 40));
      await stack.contribute(datanet, qaJsonl("cancel-b", 40));
      const jobId = await stack.createJob([datanet], {}, { epochs: 50, batchSize: 2 });
      await eventually("training progress", () => ((node.journal.getJob(jobId.toString())?.progress?.step ?? 0) >= 2 ? true : undefined));
      const cancel = (token: string) =>
        fetch(`${api.url}/v1/jobs/${jobId}/cancel`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
      assert.equal((await cancel(await signIn("other"))).status, 403);
      assert.equal((await fetch(`${api.url}/v1/jobs/${jobId}/cancel`, { method: "POST" })).status, 401);
      assert.equal((await cancel(await signIn("builder"))).status, 202);
      const reason = await eventually("on-chain failure", () => failureOf(jobId), 60_000);
      assert.equal(reason, "Cancelled by the builder.");
      await eventually("the runner to finish", () => (node.running.size === 0 ? true : undefined), 30_000);
      const summary = node.journal.getJob(jobId.toString())!;
      assert.equal(summary.phase, "cancelled");
      assert.ok(summary.progress!.step < summary.progress!.totalSteps, "stopped before the end");
    } finally {
      await api.close();
      await node.stop();
    }
  });
});
