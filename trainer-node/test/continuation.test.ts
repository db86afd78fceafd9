// Re-run from a checkpoint on the real local chain: a job cancelled after a checkpoint is continued
// as a new job whose spec names it (continueFrom); the node that ran it resumes the worker from
// that checkpoint, so the new job's first step follows the checkpoint's step, and its manifest
// records the continuation. A continuation that changes a setting is refused, naming it, by
// pre-flight before any gas and by the node on claim; a node that never ran the job leaves it be.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { parseManifestDocument, type JobSummary, type PreflightReport, type TrainingSpec } from "@modelfactory/sdk";
import { startApi, type ApiServer } from "../src/api.ts";
import { heldCheckpoint } from "../src/continuation.ts";
import { TrainerNode } from "../src/trainer-node.ts";
import { eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

describe("continue a job from its checkpoint", { timeout: 900_000 }, () => {
  let stack: Stack;
  let node: TrainerNode;
  let other: TrainerNode | undefined;
  let api: ApiServer;
  const hyper = { epochs: 2, batchSize: 1 } satisfies Partial<TrainingSpec["hyperparameters"]>;

  before(async () => {
    stack = await startStack();
    const modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    node = new TrainerNode(await stack.nodeConfig("trainer", modelsDir, { checkpointEvery: 3 }), () => undefined);
    await node.start();
    api = await startApi(node);
  });
  after(async () => {
    await node?.stop();
    await other?.stop();
    await api?.close();
    await stack?.stop();
  });

  const summary = async (jobId: bigint) => (await (await fetch(`${api.url}/v1/jobs/${jobId}`)).json()) as JobSummary;

  it("cancels a job after a checkpoint, refuses a changed continuation by name, and continues it from the checkpoint's step", async () => {
    const datanet = await stack.createDatanet(0, 0);
    await stack.contribute(datanet, qaJsonl("valve", 24));
    await stack.contribute(datanet, qaJsonl("gauge", 24));
    const first = await stack.createJob([datanet], {}, hyper);
    await eventually(
      "a checkpoint",
      () =>
        heldCheckpoint(node.journal, first.toString()) && (node.journal.getJob(first.toString())?.progress?.step ?? 0) >= 4
          ? true
          : undefined,
      300_000,
    );
    const token = await stack.signIn(api.url, "builder");
    assert.equal(
      (await fetch(`${api.url}/v1/jobs/${first}/cancel`, { method: "POST", headers: { authorization: `Bearer ${token}` } })).status,
      202,
    );
    await eventually("cancelled", async () => ((await summary(first)).phase === "cancelled" ? true : undefined), 60_000);
    const held = heldCheckpoint(node.journal, first.toString())!;
    const cancelledAt = (await summary(first)).progress!;
    assert.ok(
      held.step > 0 && held.step <= cancelledAt.step && cancelledAt.step < cancelledAt.totalSteps,
      `checkpoint at ${held.step}, cancelled at ${cancelledAt.step}`,
    );

    // A second node, which never ran the job, leaves its continuations to the node that holds the checkpoint.
    await stack.admit("trainer2");
    const otherLog: string[] = [];
    other = new TrainerNode(await stack.nodeConfig("trainer2", path.join(stack.tmp, "models"), { checkpointEvery: 3 }), (line) =>
      otherLog.push(line),
    );
    await other.start();

    // Pre-flight names a changed setting before the builder pays for createJob.
    const firstSpec = (await summary(first)).spec!;
    const changed = { ...firstSpec, continueFrom: first.toString(), hyperparameters: { ...firstSpec.hyperparameters, learningRate: 1e-3 } };
    const pre = (await (
      await fetch(`${api.url}/v1/preflight`, { method: "POST", body: JSON.stringify({ spec: changed }) })
    ).json()) as PreflightReport;
    assert.equal(pre.ok, false);
    assert.ok(
      pre.problems.some(
        (p) =>
          p.severity === "error" &&
          p.message.includes(`This job cannot continue job ${first}: hyperparameters.learningRate is 0.001 here but 0.003 in job ${first}`),
      ),
      JSON.stringify(pre.problems),
    );
    const same = (await (
      await fetch(`${api.url}/v1/preflight`, {
        method: "POST",
        body: JSON.stringify({ spec: { ...firstSpec, continueFrom: first.toString() } }),
      })
    ).json()) as PreflightReport;
    assert.ok(
      same.problems.some((p) => p.message === `Continues job ${first} from its checkpoint at step ${held.step} on this node.`),
      JSON.stringify(same.problems),
    );

    // On chain too: the node claims a changed continuation and fails it with the difference.
    const refused = await stack.createJob([datanet], { continueFrom: first.toString() }, { ...hyper, learningRate: 1e-3 });
    const reason = await eventually("refusal on chain", () => stack.failureOf(refused), 120_000);
    assert.match(
      reason,
      new RegExp(`^This job cannot continue job ${first}: hyperparameters\\.learningRate is 0\\.001 here but 0\\.003 in job ${first}\\.`),
    );

    const next = await stack.createJob([datanet], { name: "continued", continueFrom: first.toString() }, hyper);
    const done = await eventually(
      "the continuation's completion",
      async () => {
        const s = await summary(next);
        if (s.phase === "failed") throw new Error(`continuation failed: ${s.failureReason}`);
        return s.phase === "completed" ? s : undefined;
      },
      600_000,
    );
    const steps = node.journal.eventsOf(next.toString()).flatMap((e) => (e.type === "progress" ? [e.step] : []));
    assert.equal(steps[0], held.step + 1, "the first step follows the checkpoint's");
    assert.equal(steps.at(-1), cancelledAt.totalSteps, "it runs to the end of the earlier job's schedule");
    const logs = node.journal.eventsOf(next.toString()).flatMap((e) => (e.type === "log" ? [e.message] : []));
    assert.ok(logs.includes(`resuming from checkpoint step-${held.step} of job ${first}`), logs.join("\n"));
    const manifest = parseManifestDocument(await (await fetch(`${api.url}/v1/jobs/${next}/manifest`)).json());
    assert.deepEqual(manifest.continuedFrom, { jobId: first.toString(), step: held.step });
    assert.ok(done.modelId);
    const [, , , trainer] = await stack.contracts.jobs.read.getJob([next]);
    assert.equal(trainer.toLowerCase(), node.chain.account.address.toLowerCase(), "claimed by the node holding the checkpoint");
    assert.equal(other.journal.getJob(next.toString()), undefined);
    // The other node leaves continuations of a job it did not run to the node holding its
    // checkpoint. It says so when it sees one still open; for a given job it may not (the holder
    // can claim within one poll), so the refused and the accepted continuation count alike.
    assert.ok(
      otherLog.some((l) =>
        new RegExp(
          `job (${refused}|${next}): continues job ${first}, which did not run here; leaving it to the node that holds its checkpoint`,
        ).test(l),
      ),
      otherLog.join("\n"),
    );
  });
});
