// A whole job on a real local chain: create → claim → train a tiny model → evaluate → publish
// → complete; the model's manifest root matches the SDK's recomputation from chain data.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { JobState, Scope, manifestRoot, parseManifestDocument, type EvaluationReport, type JobSummary } from "@modelfactory/sdk";
import { readContent } from "@modelfactory/sdk/node";
import { startApi, type ApiServer } from "../src/api.ts";
import { TrainerNode } from "../src/trainer-node.ts";
import { eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

describe("job lifecycle", { timeout: 600_000 }, () => {
  let stack: Stack;
  let node: TrainerNode;
  let api: ApiServer;
  let completedModel: string | undefined;
  before(async () => {
    stack = await startStack();
    const modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
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

  it("trains, evaluates, publishes and completes a job with a verifiable manifest", async () => {
    const datanet = await stack.createDatanet(1, 1);
    const ids = [
      await stack.contribute(datanet, qaJsonl("boiler", 12)),
      await stack.contribute(datanet, qaJsonl("pump", 12)),
      await stack.contribute(datanet, qaJsonl("fan", 12)),
    ];
    await stack.tx("approver", stack.deployment.contracts.DatanetRegistry.address, stack.contracts.datanets.abi, "acceptContributions", [
      ids,
    ]);
    const rejected = await stack.contribute(datanet, qaJsonl("spam", 2));
    await stack.grantBySignature(datanet, Scope.Train | Scope.Retrieve);
    const jobId = await stack.createJob([datanet]);

    const summary = await eventually(
      "job completion",
      async () => {
        const s = (await (await fetch(`${api.url}/v1/jobs/${jobId}`)).json()) as JobSummary;
        if (s.phase === "failed") throw new Error(`job failed: ${s.failureReason}`);
        return s.phase === "completed" ? s : undefined;
      },
      300_000,
    );

    const [, state] = await stack.contracts.jobs.read.getJob([jobId]);
    assert.equal(state, JobState.Completed);
    const modelId = BigInt(summary.modelId!);
    completedModel = summary.modelId!;
    const [modelJob, root] = await stack.contracts.jobs.read.getModel([modelId]);
    assert.equal(modelJob, jobId);
    // Recompute the manifest from chain data alone: the accepted contributions' events.
    const registered = await stack.publicClient.getContractEvents({
      address: stack.contracts.datanets.address,
      abi: stack.contracts.datanets.abi,
      eventName: "ContributionRegistered",
      fromBlock: 0n,
      strict: true,
    });
    const [, , , , , specHash] = await stack.contracts.jobs.read.getJob([jobId]);
    // The job's training influence index is the manifest's one leaf not read from the chain: its
    // sha256 is the node's claim about the file it stored (and anyone can hash that file).
    const manifest = parseManifestDocument(await (await fetch(`${api.url}/v1/jobs/${jobId}/manifest`)).json());
    assert.ok(manifest.influenceIndex, "the job built a training influence index");
    const expected = manifestRoot({
      jobId,
      specHash,
      contributions: registered
        .filter((e) => ids.includes(e.args.contributionId))
        .map((e) => ({ contributionId: e.args.contributionId, contentHash: e.args.contentHash })),
      influenceIndexHash: manifest.influenceIndex.sha256,
    });
    assert.equal(root, expected);
    // The pending contribution exists on chain, and neither the manifest nor its root includes it.
    assert.ok(
      registered.some((e) => e.args.contributionId === rejected),
      "the pending contribution was registered",
    );
    assert.equal(manifest.root, root);
    assert.deepEqual(
      manifest.contributions.map((c) => c.contributionId),
      ids.map(String),
      "pending contribution excluded",
    );
    assert.ok(!manifest.contributions.some((c) => c.contributionId === rejected.toString()));

    const report = (await (await fetch(`${api.url}/v1/jobs/${jobId}/metrics`)).json()) as EvaluationReport;
    assert.equal(report.schema, "modelfactory.metrics/1");
    assert.ok(
      report.perplexity.tuned < report.perplexity.base,
      `tuned perplexity ${report.perplexity.tuned} should beat base ${report.perplexity.base}`,
    );
    assert.equal(report.counts.contributions, 3);
    assert.equal(report.counts.heldOut, true);
    assert.ok(report.memory.breakdown.trainable > 0, "the adapter's trainable bytes are reported");
    assert.ok(report.training.finalLoss < 6, `final loss ${report.training.finalLoss}`);
    // Post-training data insights: every contribution the job read, on its side of the split, numbers and ids only.
    const insights = report.dataInsights!;
    assert.deepEqual(
      insights.contributions.map((c) => c.contributionId),
      ids.map(String),
    );
    assert.ok(insights.contributions.every((c) => c.datanetId === datanet.toString() && (c.train ?? c.heldOut)!.records > 0));
    assert.equal(insights.contributions.filter((c) => c.heldOut && !c.train).length, 1, "one contribution held out whole");
    assert.ok(!JSON.stringify(insights).match(/boiler|pump|fan/i), "no record text in the insights");
    // The metrics document on chain is the same report.
    const stored = JSON.parse(new TextDecoder().decode(await readContent(stack.store, summary.metricsURI!.slice(7)))) as EvaluationReport;
    assert.deepEqual(stored, report);

    // The adapter archive's sha256 is the on-chain adapter hash.
    // The Datanet is permissioned: the adapter goes to its builder (signed in), not to anyone.
    assert.equal((await fetch(`${api.url}/v1/models/${modelId}/adapter`)).status, 401);
    const builderToken = await stack.signIn(api.url, "builder");
    const tar = new Uint8Array(
      await (
        await fetch(`${api.url}/v1/models/${modelId}/adapter`, { headers: { authorization: `Bearer ${builderToken}` } })
      ).arrayBuffer(),
    );
    const [, , adapterHash] = await stack.contracts.jobs.read.getModel([modelId]);
    assert.equal(`0x${Buffer.from(await crypto.subtle.digest("SHA-256", tar)).toString("hex")}`, adapterHash);
    assert.match(new TextDecoder().decode(tar.subarray(0, 100)), /adapter_config\.json|adapter_model\.safetensors/);

    // History replays to a late subscriber in order, ending with completion.
    const sse = await fetch(`${api.url}/v1/jobs/${jobId}/events`);
    const reader = sse.body!.getReader();
    let text = "";
    while (!text.includes('"phase":"completed"')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const phases = [...text.matchAll(/"phase":"(\w+)"/g)].map((m) => m[1]);
    assert.deepEqual(phases, ["claimed", "preparing", "training", "evaluating", "publishing", "completed"]);
    assert.match(text, /event: progress/);
  });

  it("exports the model as GGUF and as a Hugging Face folder to a signed-in caller, through one-time links", async () => {
    assert.ok(completedModel, "the first test registered a model");
    const ask = (format: unknown, token?: string) =>
      fetch(`${api.url}/v1/models/${completedModel}/exports`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ format }),
      });
    assert.equal((await ask("gguf-q8_0")).status, 401, "exports cost the node a merge: signed-in callers only");
    const token = await stack.signIn(api.url, "builder");
    const bad = await ask("gguf-q4", token);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /"gguf-q4" is not one of hf, gguf-f16, gguf-q8_0/);

    type Status = { state: string; bytes?: number; error?: string; download?: { path: string } };
    const ready = async (format: string) =>
      eventually(
        `${format} export`,
        async () => {
          const s = (await (await ask(format, token)).json()) as Status;
          if (s.state === "failed") throw new Error(`export failed: ${s.error}`);
          return s.state === "ready" ? s : undefined;
        },
        180_000,
      );

    const gguf = await ready("gguf-q8_0");
    const link = `${api.url}${gguf.download!.path}`;
    const file = new Uint8Array(await (await fetch(link)).arrayBuffer());
    assert.equal(new TextDecoder().decode(file.subarray(0, 4)), "GGUF");
    assert.equal(file.length, gguf.bytes);
    const again = await fetch(link);
    assert.equal(again.status, 403, "a link works once");
    assert.equal(((await again.json()) as { error: { code: string } }).error.code, "EXPORT_TICKET_INVALID");

    const hf = await ready("hf");
    const tar = new TextDecoder().decode(
      new Uint8Array(await (await fetch(`${api.url}${hf.download!.path}`)).arrayBuffer()).subarray(0, 1 << 20),
    );
    for (const name of ["config.json", "model.safetensors", "tokenizer.json"]) assert.ok(tar.includes(name), `the folder holds ${name}`);
    // A finished export is answered at once, from disk, with a fresh link.
    const cached = (await (await ask("gguf-q8_0", token)).json()) as Status;
    assert.equal(cached.state, "ready");
    assert.notEqual(`${api.url}${cached.download!.path}`, link);
  });

  it("runs a job that waited for a free slot once the slot frees, with no new block to wake it", async () => {
    // Concurrency is 1: the second job is seen while the first runs, and after the first
    // completes nothing else happens on chain.
    const datanet = await stack.createDatanet(0, 0);
    await stack.contribute(datanet, qaJsonl("grinder", 8));
    const first = await stack.createJob([datanet]);
    const second = await stack.createJob([datanet]);
    for (const jobId of [first, second]) {
      await eventually(
        `job ${jobId} completion`,
        () => {
          const s = node.journal.getJob(jobId.toString());
          if (s?.phase === "failed") throw new Error(`job ${jobId} failed: ${s.failureReason}`);
          return s?.phase === "completed" ? s : undefined;
        },
        300_000,
      );
    }
  });
});
