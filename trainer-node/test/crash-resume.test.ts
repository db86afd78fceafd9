// Crash safety: the trainer node (the real CLI, as its own process group) is killed with
// SIGKILL mid-training; a restart on the same data folder resumes from the worker's last
// checkpoint and completes the job exactly once.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { JobState, trainingJobsAbi, type JobSummary } from "@modelfactory/sdk";
import { KEYS, REPO, eventually, freePort, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

describe("crash and resume", { timeout: 900_000 }, () => {
  let stack: Stack;
  let child: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let api: string;

  const start = () => {
    child = spawn(process.execPath, [path.join(REPO, "trainer-node/src/cli.ts")], { env, stdio: "ignore", detached: true });
  };
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child!.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  const job = async (jobId: bigint): Promise<JobSummary | undefined> => {
    const res = await fetch(`${api}/v1/jobs/${jobId}`).catch(() => undefined);
    return res?.ok ? ((await res.json()) as JobSummary) : undefined;
  };

  before(async () => {
    stack = await startStack();
    const modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      MF_RPC_URL: stack.rpcUrl,
      MF_DEPLOYMENT: stack.deploymentFile,
      MF_OPERATOR_KEY: KEYS.trainer,
      MF_CONTENT_API: stack.contentApiUrl,
      MF_MODELS_DIR: modelsDir,
      MF_DATA_DIR: path.join(stack.tmp, "node"),
      MF_API_PORT: String(port),
      MF_POLL_MS: "200",
      MF_CHECKPOINT_EVERY: "3",
    };
  });
  after(async () => {
    if (child) killGroup("SIGKILL");
    await stack?.stop();
  });

  it("resumes a killed node's job from its checkpoint and completes it once", async () => {
    const datanet = await stack.createDatanet(0, 0);
    await stack.contribute(datanet, qaJsonl("crash", 24));
    await stack.contribute(datanet, qaJsonl("resume", 24));
    const jobId = await stack.createJob([datanet], {}, { epochs: 4, batchSize: 1 });
    start();
    await eventually("a checkpoint", async () => ((await job(jobId))?.progress?.step ?? 0) >= 5 || undefined, 300_000);
    killGroup("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const [, state] = await stack.contracts.jobs.read.getJob([jobId]);
    assert.equal(state, JobState.Claimed, "still claimed by the dead node");

    start();
    const done = await eventually(
      "completion after restart",
      async () => {
        const s = await job(jobId);
        if (s?.phase === "failed") throw new Error(`job failed: ${s.failureReason}`);
        return s?.phase === "completed" ? s : undefined;
      },
      600_000,
    );
    assert.ok(done.modelId);
    const events = await (
      await fetch(`${api}/v1/jobs/${jobId}/events`, { signal: AbortSignal.timeout(2000) }).then((r) => r.body!.getReader().read())
    ).value;
    const text = new TextDecoder().decode(events);
    assert.match(text, /resuming after a restart/);
    assert.match(text, /resuming from checkpoint step-\d+/);
    const completed = await stack.publicClient.getContractEvents({
      address: stack.contracts.jobs.address,
      abi: trainingJobsAbi,
      eventName: "JobCompleted",
      args: { jobId },
      fromBlock: 0n,
    });
    assert.equal(completed.length, 1, "completed exactly once");
    killGroup("SIGTERM");
  });
});
