// A permissioned Datanet's encrypted contributions through a real trainer node: the node gets
// the job's data keys from the Datanet's key service (a real one, on a real chain), trains,
// publishes a report without sample texts, deletes the decrypted records, and its chat retrieves
// from the sealed passages with keys released for its model. Edited ciphertext fails the job on
// chain naming the contribution.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { generateEncryptionKeyPair, readEnvelopeHeader, Scope, type ChatAttribution, type EvaluationReport, type JobSummary } from "@modelfactory/sdk";
import { readContent } from "@modelfactory/sdk/node";
import { contributeSealed, publishKey, records, startKeyService, type RunningKeyService } from "../../key-service/test/helpers/stack.ts";
import { startApi, type ApiServer } from "../src/api.ts";
import { TrainerNode } from "../src/trainer-node.ts";
import { eventually, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

describe("encrypted contributions on a trainer node", { timeout: 600_000 }, () => {
  let stack: Stack;
  let ks: RunningKeyService;
  let node: TrainerNode;
  let api: ApiServer;
  let datanet: bigint;
  const contributor = generateEncryptionKeyPair();

  before(async () => {
    stack = await startStack();
    datanet = await stack.createDatanet(1, 1);
    ks = await startKeyService(stack, datanet);
    await publishKey(stack, ks);
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
    await ks?.stop();
    await stack?.stop();
  });

  const finished = (jobId: bigint) =>
    eventually(`job ${jobId}`, async () => {
      const s = (await (await fetch(`${api.url}/v1/jobs/${jobId}`)).json()) as JobSummary;
      return s.phase === "completed" || s.phase === "failed" ? s : undefined;
    }, 300_000);

  it("trains on sealed data with keys the key service released, publishes no sample text and keeps no decrypted records", async () => {
    const key = ks.service.ring.current.publicKey;
    const sealed = [];
    for (const topic of ["compost", "mulch", "seedling"]) sealed.push(await contributeSealed(stack, datanet, key, contributor, records(topic, 6)));
    await stack.tx("approver", stack.deployment.contracts.DatanetRegistry.address, stack.contracts.datanets.abi, "acceptContributions", [sealed.map((s) => s.id)]);
    // An outsider reading every CID on chain gets ciphertext.
    for (const s of sealed) assert.ok(!new TextDecoder().decode(await readContent(stack.store, s.cid)).includes("compost note"));
    await stack.grantBySignature(datanet, Scope.Train | Scope.Retrieve);
    const jobId = await stack.createJob([datanet]);

    const summary = await finished(jobId);
    assert.equal(summary.phase, "completed", summary.failureReason ?? "");
    const report = (await (await fetch(`${api.url}/v1/jobs/${jobId}/metrics`)).json()) as EvaluationReport;
    assert.equal(report.counts.contributions, 3);
    assert.deepEqual(report.samples, []);
    assert.match(report.samplesWithheld ?? "", /permissioned Datanet/);
    assert.ok(!JSON.stringify(report).includes("note"), "the public report quotes the data");
    for (const f of ["train.jsonl", "eval.jsonl"]) assert.equal(existsSync(path.join(node.config.dataDir, "jobs", jobId.toString(), f)), false, `${f} left on disk`);
    // The key service logged the release to this trainer for this job.
    const audit = (await readFile(path.join(ks.config.dataDir, "audit.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { event: string; purpose?: string; requester?: string; jobId?: string });
    const trainer = stack.wallets.trainer.account.address.toLowerCase();
    assert.ok(audit.some((e) => e.event === "release" && e.purpose === "train" && e.jobId === jobId.toString() && e.requester?.toLowerCase() === trainer), JSON.stringify(audit));

    // Chat retrieves from the sealed passages, with keys released for the model's retrieval.
    const token = await stack.signIn(api.url, "builder");
    const res = await fetch(`${api.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ model: `model-${summary.modelId}`, messages: [{ role: "user", content: "What does the mulch note 2 say?" }], max_tokens: 8 }),
    });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { modelfactory: ChatAttribution };
    assert.ok(answer.modelfactory.citations.length > 0, "nothing retrieved from the sealed Datanet");
    assert.equal(answer.modelfactory.citations[0]!.contributionId, sealed[1]!.id.toString());
    assert.match(answer.modelfactory.citations[0]!.passage.text, /mulch note 2/);
    const after = (await readFile(path.join(ks.config.dataDir, "audit.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { event: string; purpose?: string; modelId?: string });
    assert.ok(after.some((e) => e.event === "release" && e.purpose === "retrieve" && e.modelId === summary.modelId), "no key was released for the model's retrieval");
  });

  it("fails a job on chain naming a contribution whose ciphertext was edited", async () => {
    const key = ks.service.ring.current.publicKey;
    const good = await contributeSealed(stack, datanet, key, contributor, records("trellis", 4));
    // A contributor registers an envelope whose last chunk was edited after sealing.
    const envelope = (await readContent(stack.store, good.cid)).slice();
    await readEnvelopeHeader([envelope]);
    envelope[envelope.length - 3]! ^= 0x40;
    const badCid = (await stack.store.put(envelope)).toString();
    await stack.tx("contributor", stack.deployment.contracts.DatanetRegistry.address, stack.contracts.datanets.abi, "contribute", [datanet, good.contentHash, badCid, "ipfs://meta"]);
    const bad = await stack.contracts.datanets.read.contributionCount();
    await stack.tx("approver", stack.deployment.contracts.DatanetRegistry.address, stack.contracts.datanets.abi, "acceptContributions", [[good.id, bad]]);
    const jobId = await stack.createJob([datanet]);
    const summary = await finished(jobId);
    assert.equal(summary.phase, "failed");
    const reason = await stack.failureOf(jobId);
    assert.match(reason ?? "", new RegExp(`Contribution ${bad} does not decrypt`));
  });
});
