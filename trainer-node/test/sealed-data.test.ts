// A permissioned Datanet's encrypted contributions through a real trainer node: the node gets
// the job's data keys from the Datanet's key service (a real one, on a real chain), trains,
// publishes a sealed adapter and a report whose sample texts are only in its sealed private part,
// deletes the decrypted records, serves the adapter only to the builder or access holders, and its
// chat retrieves from the sealed passages with keys released for its model, and drops them from
// memory once the model's builder loses access (revoked or expired). Edited ciphertext fails the
// job on chain naming the contribution. A permissioned Datanet's plaintext contributions get sealed
// artifacts all the same, and a job with no key to seal for fails before training.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createHash } from "node:crypto";
import { bytesToHex } from "viem";
import {
  ENVELOPE_MAGIC,
  generateEncryptionKeyPair,
  openArtifact,
  openPrivateSamples,
  readEnvelopeHeader,
  Scope,
  type ChatAttribution,
  type EvaluationReport,
  type JobSummary,
} from "@modelfactory/sdk";
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
  let modelId: bigint;
  let sealedIds: bigint[] = [];
  const contributor = generateEncryptionKeyPair();
  // The builder's wallet-derived key in the GUI; the spec names its public half.
  const builderKey = generateEncryptionKeyPair();

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
    eventually(
      `job ${jobId}`,
      async () => {
        const s = (await (await fetch(`${api.url}/v1/jobs/${jobId}`)).json()) as JobSummary;
        return s.phase === "completed" || s.phase === "failed" ? s : undefined;
      },
      300_000,
    );

  it("trains on sealed data with keys the key service released, publishes no sample text and keeps no decrypted records", async () => {
    const key = ks.service.ring.current.publicKey;
    const sealed = [];
    for (const topic of ["compost", "mulch", "seedling"])
      sealed.push(await contributeSealed(stack, datanet, key, contributor, records(topic, 6)));
    await stack.tx("approver", stack.deployment.contracts.DatanetRegistry.address, stack.contracts.datanets.abi, "acceptContributions", [
      sealed.map((s) => s.id),
    ]);
    // An outsider reading every CID on chain gets ciphertext.
    for (const s of sealed) assert.ok(!new TextDecoder().decode(await readContent(stack.store, s.cid)).includes("compost note"));
    await stack.grantBySignature(datanet, Scope.Train | Scope.Retrieve);
    const jobId = await stack.createJob([datanet], { builderEncryptionKey: bytesToHex(builderKey.publicKey) });

    const summary = await finished(jobId);
    assert.equal(summary.phase, "completed", summary.failureReason ?? "");
    const report = (await (await fetch(`${api.url}/v1/jobs/${jobId}/metrics`)).json()) as EvaluationReport;
    assert.equal(report.counts.contributions, 3);
    assert.deepEqual(report.samples, []);
    assert.match(report.samplesWithheld ?? "", /permissioned Datanet/);
    assert.ok(!JSON.stringify(report).includes("note"), "the public report quotes the data");
    // The report on chain is that public one; its samples are in the sealed private part, which the builder's key opens.
    modelId = BigInt(summary.modelId!);
    sealedIds = sealed.map((s) => s.id);
    const onChainReport = new TextDecoder().decode(await readContent(stack.store, summary.metricsURI!.slice("ipfs://".length)));
    assert.doesNotMatch(onChainReport, /note \d|compost|mulch|seedling/);
    assert.ok(report.privateSamples, "the report names no private samples");
    const privateEnvelope = await readContent(stack.store, report.privateSamples.cid);
    assert.doesNotMatch(Buffer.from(privateEnvelope).toString("latin1"), /note \d/);
    // …and it matches the hashes the public report (on chain by its CID) commits to.
    const { document: opened, verified } = openPrivateSamples(
      await openArtifact([privateEnvelope], { secretKey: builderKey.secretKey }),
      jobId.toString(),
      report.privateSamples,
    );
    assert.equal(verified, true);
    assert.equal(report.privateSamples.sampleHashes?.length, report.privateSamples.count);
    assert.ok(
      opened.samples.length > 0 && opened.samples.length === report.privateSamples.count,
      `${opened.samples.length} private samples`,
    );
    assert.match(opened.samples[0]!.prompt, /What does the (compost|mulch|seedling) note \d say\?/);
    assert.equal(typeof opened.samples[0]!.tuned, "string");
    // The adapter in the content store is an envelope, not a tar; the builder's key opens it into the bytes the chain hashes.
    const [, , adapterHash] = await stack.contracts.jobs.read.getModel([modelId]);
    const stored = await readContent(stack.store, summary.adapterCID!, { maxBytes: 256 * 1024 * 1024 });
    assert.deepEqual(stored.subarray(0, ENVELOPE_MAGIC.length), ENVELOPE_MAGIC);
    assert.doesNotMatch(Buffer.from(stored.subarray(0, 4096)).toString("latin1"), /adapter_config\.json|ustar/);
    const header = await readEnvelopeHeader([stored]);
    assert.deepEqual(
      header.recipients.map((r) => r.publicKey).sort(),
      [ks.service.ring.current.publicKey.toLowerCase(), bytesToHex(builderKey.publicKey)].sort(),
    );
    const tar = await openArtifact([stored], { secretKey: builderKey.secretKey }, { sha256: adapterHash });
    assert.match(new TextDecoder().decode(tar.subarray(0, 512)), /adapter_config\.json|adapter_model\.safetensors/);
    // The node's adapter route: not without signing in, not for an outsider (with the reason), yes for the builder.
    const adapterUrl = `${api.url}/v1/models/${modelId}/adapter`;
    const anonymous = await fetch(adapterUrl);
    assert.equal(anonymous.status, 401);
    assert.match(
      ((await anonymous.json()) as { error: { message: string } }).error.message,
      new RegExp(`trained on permissioned Datanet ${datanet}: sign in`),
    );
    const outsider = await fetch(adapterUrl, { headers: { authorization: `Bearer ${await stack.signIn(api.url, "other")}` } });
    assert.equal(outsider.status, 403);
    const refusal = ((await outsider.json()) as { error: { code: string; message: string } }).error;
    assert.equal(refusal.code, "NOT_MODEL_BUILDER_OR_HOLDER");
    assert.match(
      refusal.message,
      new RegExp(`is not model ${modelId}'s builder .* holds no train or evaluate access to Datanet ${datanet}`),
    );
    const served = await fetch(adapterUrl, { headers: { authorization: `Bearer ${await stack.signIn(api.url, "builder")}` } });
    assert.equal(served.status, 200);
    const servedTar = new Uint8Array(await served.arrayBuffer());
    assert.equal(`0x${createHash("sha256").update(servedTar).digest("hex")}`, adapterHash);
    for (const f of ["train.jsonl", "eval.jsonl"])
      assert.equal(existsSync(path.join(node.config.dataDir, "jobs", jobId.toString(), f)), false, `${f} left on disk`);
    // The key service logged the release to this trainer for this job.
    const audit = (await readFile(path.join(ks.config.dataDir, "audit.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; purpose?: string; requester?: string; jobId?: string });
    const trainer = stack.wallets.trainer.account.address.toLowerCase();
    assert.ok(
      audit.some(
        (e) => e.event === "release" && e.purpose === "train" && e.jobId === jobId.toString() && e.requester?.toLowerCase() === trainer,
      ),
      JSON.stringify(audit),
    );

    // Chat retrieves from the sealed passages, with keys released for the model's retrieval.
    const token = await stack.signIn(api.url, "builder");
    const res = await fetch(`${api.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({
        model: `model-${summary.modelId}`,
        messages: [{ role: "user", content: "What does the mulch note 2 say?" }],
        max_tokens: 8,
      }),
    });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { modelfactory: ChatAttribution };
    assert.ok(answer.modelfactory.citations.length > 0, "nothing retrieved from the sealed Datanet");
    assert.equal(answer.modelfactory.citations[0]!.contributionId, sealed[1]!.id.toString());
    assert.match(answer.modelfactory.citations[0]!.passage.text, /mulch note 2/);
    const after = (await readFile(path.join(ks.config.dataDir, "audit.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; purpose?: string; modelId?: string });
    assert.ok(
      after.some((e) => e.event === "release" && e.purpose === "retrieve" && e.modelId === summary.modelId),
      "no key was released for the model's retrieval",
    );
  });

  it("fails a job on chain naming a contribution whose ciphertext was edited", async () => {
    const key = ks.service.ring.current.publicKey;
    const good = await contributeSealed(stack, datanet, key, contributor, records("trellis", 4));
    // A contributor registers an envelope whose last chunk was edited after sealing.
    const envelope = (await readContent(stack.store, good.cid)).slice();
    await readEnvelopeHeader([envelope]);
    envelope[envelope.length - 3]! ^= 0x40;
    const badCid = (await stack.store.put(envelope)).toString();
    await stack.tx("contributor", stack.deployment.contracts.DatanetRegistry.address, stack.contracts.datanets.abi, "contribute", [
      datanet,
      good.contentHash,
      badCid,
      "ipfs://meta",
    ]);
    const bad = await stack.contracts.datanets.read.contributionCount();
    await stack.tx("approver", stack.deployment.contracts.DatanetRegistry.address, stack.contracts.datanets.abi, "acceptContributions", [
      [good.id, bad],
    ]);
    const jobId = await stack.createJob([datanet]);
    const summary = await finished(jobId);
    assert.equal(summary.phase, "failed");
    const reason = await stack.failureOf(jobId);
    assert.match(
      reason ?? "",
      new RegExp(`Contribution ${bad} does not decrypt`),
      `on chain: ${reason}; the node says: ${summary.failureReason}; its log: ${node.journal
        .eventsOf(jobId.toString())
        .flatMap((e) => (e.type === "log" && e.level !== "info" ? [e.message] : []))
        .join(" | ")}`,
    );
  });
  it("seals the adapter and samples of a permissioned Datanet's plaintext contributions too, and fails a job it has no key to seal for", async () => {
    // A permissioned Datanet whose owner bound no key, with contributions registered in the clear.
    const unkeyed = await stack.createDatanet(1, 0);
    for (const topic of ["hedge", "pond"]) await stack.contribute(unkeyed, records(topic, 6));
    await stack.grantBySignature(unkeyed, Scope.Train);
    // No key anywhere: refused before training, on chain, naming the Datanet and the way out.
    const refused = await stack.createJob([unkeyed], { builderEncryptionKey: undefined });
    assert.equal((await finished(refused)).phase, "failed");
    assert.match(
      (await stack.failureOf(refused)) ?? "",
      new RegExp(`trains on permissioned Datanet ${unkeyed}, .*no builderEncryptionKey: the Datanet's owner binds one`),
    );
    // With the builder's key in the spec: trained, and both artifacts sealed to that key alone.
    const jobId = await stack.createJob([unkeyed], { builderEncryptionKey: bytesToHex(builderKey.publicKey) });
    const summary = await finished(jobId);
    assert.equal(summary.phase, "completed", summary.failureReason ?? "");
    const stored = await readContent(stack.store, summary.adapterCID!, { maxBytes: 256 * 1024 * 1024 });
    assert.deepEqual(stored.subarray(0, ENVELOPE_MAGIC.length), ENVELOPE_MAGIC);
    assert.deepEqual(
      (await readEnvelopeHeader([stored])).recipients.map((r) => r.publicKey),
      [bytesToHex(builderKey.publicKey)],
    );
    const [, , adapterHash] = await stack.contracts.jobs.read.getModel([BigInt(summary.modelId!)]);
    await openArtifact([stored], { secretKey: builderKey.secretKey }, { sha256: adapterHash });
    const report = JSON.parse(
      new TextDecoder().decode(await readContent(stack.store, summary.metricsURI!.slice("ipfs://".length))),
    ) as EvaluationReport;
    assert.deepEqual(report.samples, []);
    assert.match(report.samplesWithheld ?? "", new RegExp(`permissioned Datanet ${unkeyed}`));
    assert.doesNotMatch(JSON.stringify(report), /hedge|pond/);
    const { document } = openPrivateSamples(
      await openArtifact([await readContent(stack.store, report.privateSamples!.cid)], { secretKey: builderKey.secretKey }),
      jobId.toString(),
      report.privateSamples!,
    );
    assert.ok(document.samples.some((x) => /hedge|pond/.test(x.prompt)));
  });

  it("stops retrieving a model's sealed passages, and drops their text from memory, once its builder's access is revoked or expires", async () => {
    // The approver holds retrieve access throughout; what changes is the model's builder's.
    const approver = await stack.signIn(api.url, "approver");
    const ask = async () => {
      const res = await fetch(`${api.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${approver}` },
        body: JSON.stringify({
          model: `model-${modelId}`,
          messages: [{ role: "user", content: "What does the mulch note 2 say?" }],
          max_tokens: 4,
        }),
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as { modelfactory: ChatAttribution }).modelfactory;
    };
    const cites = (a: ChatAttribution) => a.citations.some((c) => sealedIds.includes(BigInt(c.contributionId)));
    const inMemory = () => sealedIds.filter((id) => node.chat.retrieval.index.has(id));
    assert.ok(cites(await ask()), "the approver's chat cites nothing from the sealed Datanet before the revocation");
    assert.deepEqual(inMemory(), sealedIds);

    await stack.tx("approver", stack.deployment.contracts.DatanetRegistry.address, stack.contracts.datanets.abi, "revokeAccess", [
      datanet,
      stack.wallets.builder.account.address,
    ]);
    // The very next answer: nothing retrieved, and the decrypted passages are gone from the node's memory.
    const afterRevoke = await ask();
    assert.equal(afterRevoke.citations.length, 0, JSON.stringify(afterRevoke.citations));
    assert.deepEqual(inMemory(), []);
    assert.equal(node.chat.retrieval.index.search("mulch note 2", [datanet], 5).length, 0);

    // A new grant brings retrieval back (the key service releases the keys again) — until it expires.
    const releases = async () =>
      (await readFile(path.join(ks.config.dataDir, "audit.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { event: string; purpose?: string; modelId?: string })
        .filter((e) => e.event === "release" && e.purpose === "retrieve" && e.modelId === modelId.toString()).length;
    const releasedBefore = await releases();
    await stack.grantBySignature(datanet, Scope.Retrieve, "builder", 120n);
    assert.ok(cites(await ask()), "retrieval did not come back with the new grant");
    assert.deepEqual(inMemory().sort(), [...sealedIds].sort());
    assert.ok((await releases()) > releasedBefore, "the key service logged no new release for the new grant");
    await stack.publicClient.request({ method: "evm_increaseTime", params: [180] } as never);
    await stack.publicClient.request({ method: "evm_mine", params: [] } as never);
    const afterExpiry = await ask();
    assert.equal(afterExpiry.citations.length, 0, JSON.stringify(afterExpiry.citations));
    assert.deepEqual(inMemory(), []);
  });
});
