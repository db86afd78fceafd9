// Purpose "model" against a real chain, content store and contracts: a model trained on two
// permissioned Datanets has its adapter and private samples sealed for both Datanets' keys; the
// key service of either releases their data key to the model's builder and to whoever holds
// train or evaluate access to both now (the key opens the envelope into the bytes whose SHA-256
// is on chain), and refuses anyone else, naming the Datanet they lack.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { bytesToHex, type Hex } from "viem";
import {
  collectBytes,
  datanetRegistryAbi,
  encodePrivateSamples,
  openArtifact,
  parsePrivateSamples,
  PRIVATE_SAMPLES_SCHEMA,
  sealArtifact,
  Scope,
  trainingJobsAbi,
  unwrapDataKey,
  type KeyServiceModelKeyResponse,
  type ModelArtifact,
} from "@modelfactory/sdk";
import {
  contributeSealed,
  publishKey,
  records,
  requesterKey,
  send,
  startKeyService,
  type RunningKeyService,
  type Stack,
  type Who,
} from "./helpers/stack.ts";
import { startStack } from "../../trainer-node/test/helpers/stack.ts";

describe("key service purpose model: sealed adapters and private samples", { timeout: 600_000 }, () => {
  let stack: Stack;
  let ksA: RunningKeyService;
  let ksB: RunningKeyService;
  let A: bigint;
  let B: bigint;
  let model: bigint;
  let adapterCID: string;
  let adapterHash: Hex;
  const adapter = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 11)) & 0xff);
  const samples = [
    { prompt: "What does the hollyhock note 1 say?", reference: "Stake them early.", base: "No idea.", tuned: "Stake them early." },
  ];
  const me = requesterKey();

  const ask = (ks: RunningKeyService, who: Who, artifact: ModelArtifact, modelId = model, datanetId = ks.service.datanetId) =>
    send<KeyServiceModelKeyResponse>(ks, stack, who, {
      action: "release",
      purpose: "model",
      datanetId,
      modelId,
      artifact,
      recipientPublicKey: me.hex,
    });
  const refused = async (ks: RunningKeyService, who: Who, code: string, message: RegExp, modelId = model): Promise<void> => {
    const answer = await ask(ks, who, "adapter", modelId);
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.equal(answer.body.error?.code, code, answer.body.error?.message);
    assert.match(answer.body.error!.message, message);
  };
  const registry = () => stack.deployment.contracts.DatanetRegistry.address;

  before(async () => {
    stack = await startStack();
    A = await stack.createDatanet(1, 1);
    B = await stack.createDatanet(1, 1);
    ksA = await startKeyService(stack, A);
    ksB = await startKeyService(stack, B);
    await publishKey(stack, ksA);
    await publishKey(stack, ksB);
    const contributorKey = requesterKey();
    const a = await contributeSealed(stack, A, ksA.service.ring.current.publicKey, contributorKey, records("hollyhock"));
    const b = await contributeSealed(stack, B, ksB.service.ring.current.publicKey, contributorKey, records("foxglove"));
    await stack.tx("approver", registry(), datanetRegistryAbi, "acceptContributions", [[a.id, b.id]]);
    await stack.grantBySignature(A, Scope.Train);
    await stack.grantBySignature(B, Scope.Train);
    await stack.admit("trainer");
    const job = await stack.createJob([A, B]);
    await stack.tx("trainer", stack.deployment.contracts.TrainingJobs.address, trainingJobsAbi, "claimJob", [job]);
    // What a trainer node publishes for such a job (trainer-node/src/sealed-artifacts.ts).
    const recipients = [ksA.service.ring.current.publicKey, ksB.service.ring.current.publicKey];
    const sealed = sealArtifact(adapter, { recipients });
    adapterHash = sealed.sha256;
    adapterCID = (await stack.store.put(sealed.envelope)).toString();
    const samplesCid = (
      await stack.store.put(
        sealArtifact(encodePrivateSamples({ schema: PRIVATE_SAMPLES_SCHEMA, jobId: String(job), samples }), { recipients }).envelope,
      )
    ).toString();
    const report = {
      schema: "modelfactory.metrics/1",
      jobId: String(job),
      samples: [],
      privateSamples: { cid: samplesCid, schema: PRIVATE_SAMPLES_SCHEMA, count: 1 },
    };
    const metricsCid = (await stack.store.put(new TextEncoder().encode(JSON.stringify(report)))).toString();
    const root = `0x${"33".repeat(32)}` as Hex;
    await stack.tx("trainer", stack.deployment.contracts.TrainingJobs.address, trainingJobsAbi, "completeJob", [
      job,
      adapterCID,
      adapterHash,
      `ipfs://${metricsCid}`,
      root,
      "ipfs://manifest",
    ]);
    model = (await stack.contracts.jobs.read.counts())[1];
  });

  after(async () => {
    await ksA?.stop();
    await ksB?.stop();
    await stack?.stop();
  });

  it("releases the adapter's key to the builder from either Datanet's key service; it opens into the chain's adapter hash", async () => {
    for (const ks of [ksA, ksB]) {
      const answer = await ask(ks, "builder", "adapter");
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.cid, adapterCID);
      const [, , onChain] = await stack.contracts.jobs.read.getModel([model]);
      const opened = await openArtifact(
        stack.store.get(answer.body.cid),
        { dataKey: unwrapDataKey(answer.body.wrappedKey, me.secretKey) },
        { sha256: onChain },
      );
      assert.deepEqual(opened, adapter);
    }
  });

  it("releases the private samples' key, located through the report on chain", async () => {
    const answer = await ask(ksA, "builder", "samples");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const bytes = await openArtifact(stack.store.get(answer.body.cid), { dataKey: unwrapDataKey(answer.body.wrappedKey, me.secretKey) });
    const [jobId] = await stack.contracts.jobs.read.getModel([model]);
    assert.deepEqual(parsePrivateSamples(bytes, String(jobId)).samples, samples);
    // The envelope in the content store is ciphertext.
    assert.ok(
      !Buffer.from(await collectBytes(stack.store.get(answer.body.cid)))
        .toString("latin1")
        .includes("hollyhock"),
    );
  });

  it("releases to a holder of evaluate access to all the model's Datanets", async () => {
    await stack.grantBySignature(A, Scope.Evaluate, "other");
    await stack.grantBySignature(B, Scope.Evaluate, "other");
    const answer = await ask(ksB, "other", "adapter");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  });

  it("refuses someone with access to only one of the two Datanets, naming the other", async () => {
    await stack.grantBySignature(A, Scope.Train | Scope.Evaluate, "trainer2");
    await refused(
      ksA,
      "trainer2",
      "NOT_MODEL_BUILDER_OR_HOLDER",
      new RegExp(`is not model ${model}'s builder \\(0x[0-9a-fA-F]{40}\\) and holds no train or evaluate access to Datanet ${B};`),
    );
    // Retrieve access is not enough either.
    await stack.grantBySignature(B, Scope.Retrieve, "trainer2");
    await refused(
      ksB,
      "trainer2",
      "NOT_MODEL_BUILDER_OR_HOLDER",
      new RegExp(`no train or evaluate access to Datanet ${B}; the model was trained on Datanets ${A}, ${B}`),
    );
  });

  it("refuses a holder at once once their grant is revoked", async () => {
    await stack.tx("approver", registry(), datanetRegistryAbi, "revokeAccess", [B, stack.wallets.other.account.address]);
    await refused(ksA, "other", "NOT_MODEL_BUILDER_OR_HOLDER", new RegExp(`holds no train or evaluate access to Datanet ${B};`));
  });

  it("refuses an outsider, an unknown model and a model of other Datanets", async () => {
    const outsider = await stack.createDatanet(1, 1);
    const ksC = await startKeyService(stack, outsider);
    try {
      await refused(ksA, "contributor", "NOT_MODEL_BUILDER_OR_HOLDER", new RegExp(`Datanets ${A}, ${B};`));
      await refused(ksA, "builder", "MODEL_NOT_FOUND", /Model 999 does not exist/, 999n);
      await refused(ksC, "builder", "MODEL_OTHER_DATANETS", new RegExp(`trained on Datanets ${A}, ${B}, not Datanet ${outsider}`));
    } finally {
      await ksC.stop();
    }
  });

  it("logs model releases and refusals with the artifact and its CID, and no key", async () => {
    const lines = (await readFile(ksA.service.audit.file, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      lines.some(
        (l) =>
          l.event === "release" &&
          l.purpose === "model" &&
          l.artifact === "samples" &&
          l.modelId === String(model) &&
          typeof l.cid === "string",
      ),
    );
    assert.ok(lines.some((l) => l.event === "refusal" && l.purpose === "model" && l.code === "NOT_MODEL_BUILDER_OR_HOLDER"));
    assert.doesNotMatch(JSON.stringify(lines), /wrappedKey|hollyhock/);
    assert.ok(!JSON.stringify(lines).includes(bytesToHex(me.secretKey).slice(2)));
  });
});
