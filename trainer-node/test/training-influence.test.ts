// Training influence through a real trainer node on a real chain (tiny model): the job builds an
// influence index after training and commits its sha256 in the manifest; a chat answer on that
// model lists the contribution that taught the answer first; a permissioned job's index is stored
// sealed (ciphertext only in the content store) like its adapter, and a caller without access to
// the Datanet gets no training influences.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { bytesToHex, type Hex } from "viem";
import {
  describeTrainingInfluence,
  ENVELOPE_MAGIC,
  INFLUENCE_INDEX_FORMAT,
  MAX_TRAINING_INFLUENCES,
  MIN_INFLUENCE_SCORE,
  openArtifact,
  parseManifestDocument,
  publicTrainingInfluence,
  readEnvelopeHeader,
  Scope,
  trainingJobsAbi,
  verifyManifestEntry,
  manifestInfluenceIndexProof,
  manifestOfDocument,
  ManifestEntryKind,
  type ChatAttribution,
  type EvaluationReport,
  type JobSummary,
  type ReceiptStatus,
  type TrainingManifestDocument,
} from "@modelfactory/sdk";
import { readContent } from "@modelfactory/sdk/node";
import path from "node:path";
import { startApi, type ApiServer } from "../src/api.ts";
import { trainingInfluences } from "../src/training-influence.ts";
import { TrainerNode } from "../src/trainer-node.ts";
import { BUILDER_ENCRYPTION_KEY, eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

/** One fact, asked six ways: the contribution that teaches it. */
function factJsonl(name: string, word: string): string {
  const asks = [
    `What is the code word of ${name}?`,
    `Tell me ${name}'s code word.`,
    `Which code word does ${name} use?`,
    `What code word does ${name} have?`,
    `Do you know the code word of ${name}?`,
    `Say the code word of ${name}.`,
  ];
  return asks.map((q) => JSON.stringify({ instruction: q, output: `The code word of ${name} is ${word}.` })).join("\n") + "\n";
}

type Completion = { choices: { message: { content: string } }[]; modelfactory: ChatAttribution };

describe("training influence on a trainer node", { timeout: 900_000 }, () => {
  let stack: Stack;
  let node: TrainerNode;
  let api: ApiServer;
  let planted: bigint;
  let gated: bigint;
  let openModel: JobSummary;
  let gatedModel: JobSummary;

  const manifestOf = async (modelId: string): Promise<TrainingManifestDocument> => {
    const [event] = await stack.publicClient.getContractEvents({
      address: stack.contracts.jobs.address,
      abi: trainingJobsAbi,
      eventName: "ModelRegistered",
      args: { modelId: BigInt(modelId) },
      fromBlock: 0n,
      strict: true,
    });
    assert.ok(event, `model ${modelId} registered`);
    const doc = parseManifestDocument(
      JSON.parse(new TextDecoder().decode(await readContent(stack.store, event.args.manifestURI.slice("ipfs://".length)))),
    );
    assert.equal(doc.root, event.args.manifestRoot, "the manifest's entries give the root on chain");
    return doc;
  };

  async function chat(
    who: keyof Stack["wallets"],
    modelId: string,
    content: string,
    extra: Record<string, unknown> = {},
  ): Promise<ChatAttribution & { answer: string }> {
    const token = await stack.signIn(api.url, who);
    const res = await fetch(`${api.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: `model-${modelId}`, messages: [{ role: "user", content }], max_tokens: 16, ...extra }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as Completion;
    return { ...body.modelfactory, answer: body.choices[0]!.message.content };
  }

  const finished = (jobId: bigint) =>
    eventually(
      `job ${jobId}`,
      async () => {
        const s = node.journal.getJob(jobId.toString()) as JobSummary | undefined;
        if (s?.phase === "failed") throw new Error(s.failureReason ?? "failed");
        return s?.phase === "completed" ? s : undefined;
      },
      600_000,
    );

  before(async () => {
    stack = await startStack();
    const modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    const open = await stack.createDatanet(0, 0);
    planted = await stack.contribute(open, factJsonl("Cato", "lantern"));
    for (const topic of ["fan", "pump", "boiler"]) await stack.contribute(open, qaJsonl(topic, 6));
    // A permissioned Datanet whose contributions are registered in the clear: its artifacts are sealed to the builder's key.
    gated = await stack.createDatanet(1, 0);
    for (const topic of ["hedge", "pond"]) await stack.contribute(gated, qaJsonl(topic, 6));
    await stack.grantBySignature(gated, Scope.Train | Scope.Retrieve);
    node = new TrainerNode(await stack.nodeConfig("trainer", modelsDir), () => undefined);
    await node.start();
    api = await startApi(node);
    // Every contribution trained on (records held out from each). At this rate the tiny model
    // learns to answer "The code word of Cato is lantern." (worker-level check: the planted
    // contribution then scores 0.87, the others ≤ 0.06; at 1e-2 for 4 epochs it answers noise).
    // One evaluation, at the last step: the published weights are the fully trained ones, not an
    // earlier step's whose held-out loss on the valve-turn records happened to be lower.
    const openJob = await stack.createJob(
      [open],
      { evalSplit: "record", evalFraction: 0.2 },
      { learningRate: 3e-2, epochs: 12, scheduler: "constant", batchSize: 6, evalEvery: 1_000 },
    );
    const gatedJob = await stack.createJob(
      [gated],
      { evalSplit: "record", evalFraction: 0.2 },
      { learningRate: 1e-2, epochs: 4, scheduler: "constant", batchSize: 6 },
    );
    openModel = await finished(openJob);
    gatedModel = await finished(gatedJob);
  });
  after(async () => {
    await node?.stop();
    await api?.close();
    await stack?.stop();
  });

  it("commits the index built after training in the manifest, stored in the clear for open data", async () => {
    const doc = await manifestOf(openModel.modelId!);
    const index = doc.influenceIndex;
    assert.ok(index, "the manifest lists an influence index");
    assert.equal(index.format, INFLUENCE_INDEX_FORMAT);
    assert.equal(index.sealed, false);
    assert.equal(index.contributions, 4, "every trained contribution indexed");
    const bytes = await readContent(stack.store, index.cid, { maxBytes: 64 * 1024 * 1024 });
    assert.equal(`0x${createHash("sha256").update(bytes).digest("hex")}`, index.sha256);
    assert.ok(new TextDecoder().decode(bytes.subarray(0, 4096)).includes(INFLUENCE_INDEX_FORMAT), "a safetensors index in the clear");
    const proof = manifestInfluenceIndexProof(manifestOfDocument(doc));
    assert.equal(verifyManifestEntry(doc.root, ManifestEntryKind.InfluenceIndex, BigInt(doc.jobId), index.sha256, proof), true);
    assert.equal(
      await stack.contracts.jobs.read.verifyManifestEntry([
        BigInt(openModel.modelId!),
        ManifestEntryKind.InfluenceIndex,
        BigInt(doc.jobId),
        index.sha256,
        proof,
      ]),
      true,
      "and on chain",
    );
    const events = node.journal.eventsOf(openModel.jobId);
    const logs = events.flatMap((e) => (e.type === "log" ? [e.message] : []));
    assert.ok(
      logs.includes("building the training influence index: gradients of 20 record(s) of 4 contribution(s)"),
      `the live job page says the index is being built: ${logs.join(" | ")}`,
    );
    assert.ok(
      logs.some((m) => /^training influence index: 4 contribution\(s\), 20 record gradient\(s\) in \d+\.\d s$/.test(m)),
      "and what it cost",
    );
  });

  it("probes the model's own training influence on held-out questions in its report: ids and numbers only", async () => {
    const report = (await (await fetch(`${api.url}/v1/jobs/${openModel.jobId}/metrics`)).json()) as EvaluationReport;
    const probe = report.trainingInfluenceProbe;
    assert.ok(probe, "the report carries the probe");
    // 20 % of each of the 4 contributions' 6 records held out: one question each, one per contribution.
    assert.equal(probe.questions, 4);
    assert.equal(new Set(probe.cases.map((c) => c.contributionId)).size, 4, "one question per contribution");
    const planted_ = probe.cases.find((c) => c.contributionId === planted.toString());
    assert.ok(planted_, `the planted contribution's held-out question is probed: ${JSON.stringify(probe.cases)}`);
    assert.equal(planted_.rank, 1, `its paraphrase traces to it first: ${JSON.stringify(probe.cases)}`);
    assert.ok(planted_.score! > 0.5);
    for (const c of probe.cases) assert.ok(c.rank === null || (c.rank >= 1 && c.rank <= 4), JSON.stringify(c));
    assert.equal(probe.recallAt1, probe.cases.filter((c) => c.rank === 1).length / 4);
    assert.ok(probe.recallAt3 >= probe.recallAt1 && probe.secondsPerAnswer > 0);
    const logs = node.journal.eventsOf(openModel.jobId).flatMap((e) => (e.type === "log" ? [e.message] : []));
    assert.ok(logs.includes("probing training influence on 4 held-out question(s)"), logs.join(" | "));
    // The permissioned job's public report probes too, with no word of its records.
    const gatedReport = (await (await fetch(`${api.url}/v1/jobs/${gatedModel.jobId}/metrics`)).json()) as EvaluationReport;
    assert.ok(gatedReport.trainingInfluenceProbe, "the permissioned job's report carries the probe");
    assert.ok(!JSON.stringify(gatedReport.trainingInfluenceProbe).match(/hedge|pond|valve/i), "no record text in the probe");
  });

  it("lists the contribution that taught the answer first, with its chain metadata, deterministically", async () => {
    const question = "What is the code word of Cato?";
    // Without retrieved sources in the prompt: the tiny model was trained on bare questions, and
    // answers noise under a system prompt it never saw (the influence is of training either way).
    const bare = { modelfactory: { retrieve: false } };
    const a = await chat("builder", openModel.modelId!, question, bare);
    assert.equal(a.trainingInfluenceNote, undefined, a.trainingInfluenceNote);
    const list = a.trainingInfluences;
    assert.ok(list.length >= 1 && list.length <= MAX_TRAINING_INFLUENCES, `answer ${JSON.stringify(a.answer)}: ${JSON.stringify(list)}`);
    const top = list[0]!;
    assert.equal(
      top.contributionId,
      planted.toString(),
      `the planted contribution ranks first: ${JSON.stringify(list.map((t) => [t.contributionId, t.score]))}`,
    );
    assert.equal(top.contributor.toLowerCase(), stack.wallets.contributor.account.address.toLowerCase());
    assert.match(top.transactionHash, /^0x[0-9a-f]{64}$/);
    const receipt = await stack.publicClient.getTransactionReceipt({ hash: top.transactionHash as Hex });
    assert.equal(receipt.status, "success", "the contribution's registering transaction");
    list.forEach((t, i) => {
      assert.equal(t.rank, i + 1);
      assert.ok(t.score >= MIN_INFLUENCE_SCORE && t.score <= 1);
      if (i > 0) assert.ok(t.score <= list[i - 1]!.score);
      assert.equal(t.reason, describeTrainingInfluence(t.score));
      assert.ok(Number.isInteger(t.weight) && t.weight > 0);
    });
    assert.ok(list.reduce((n, t) => n + t.weight, 0) <= 10_000);
    // The answer's receipt commits to the same list, as its own.
    const status = (await (await fetch(`${api.url}/v1/receipts/${a.receiptId}`)).json()) as ReceiptStatus;
    assert.deepEqual(status.receipt.trainingInfluences, list.map(publicTrainingInfluence));
    const again = await chat("builder", openModel.modelId!, question, bare);
    assert.deepEqual(again.trainingInfluences, list, "the same model, question and answer give the same influences");
    // The stream's last chunk carries the same list.
    const token = await stack.signIn(api.url, "builder");
    const res = await fetch(`${api.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: `model-${openModel.modelId}`,
        messages: [{ role: "user", content: question }],
        max_tokens: 16,
        stream: true,
        ...bare,
      }),
    });
    const chunks = (await res.text())
      .split("\n\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => JSON.parse(l.slice(6)) as { modelfactory?: ChatAttribution });
    assert.deepEqual(chunks.at(-1)?.modelfactory?.trainingInfluences, list);
  });

  it("stores a permissioned job's index sealed like its adapter, and lists nothing to a caller without access", async () => {
    const doc = await manifestOf(gatedModel.modelId!);
    const index = doc.influenceIndex;
    assert.ok(index, "the manifest lists an influence index");
    assert.equal(index.sealed, true);
    const stored = await readContent(stack.store, index.cid, { maxBytes: 64 * 1024 * 1024 });
    assert.deepEqual(stored.subarray(0, ENVELOPE_MAGIC.length), ENVELOPE_MAGIC, "an envelope");
    assert.ok(!new TextDecoder("latin1").decode(stored).includes(INFLUENCE_INDEX_FORMAT), "ciphertext only");
    assert.deepEqual(
      (await readEnvelopeHeader([stored])).recipients.map((r) => r.publicKey),
      [bytesToHex(BUILDER_ENCRYPTION_KEY.publicKey)],
      "sealed for the adapter's keys",
    );
    const opened = await openArtifact([stored], { secretKey: BUILDER_ENCRYPTION_KEY.secretKey }, { sha256: index.sha256 });
    assert.ok(
      new TextDecoder().decode(opened.subarray(0, 4096)).includes(INFLUENCE_INDEX_FORMAT),
      "the builder opens the index the manifest commits",
    );
    const outsider = await chat("other", gatedModel.modelId!, "What does the hedge manual say about step 2?");
    assert.deepEqual(outsider.trainingInfluences, []);
    assert.match(outsider.trainingInfluenceNote ?? "", /retrieve access to none of this model's Datanets/);
    const builder = await chat("builder", gatedModel.modelId!, "What does the hedge manual say about step 2?");
    // The builder holds retrieve access: influence is measured, and either listed or, when none
    // counts, the note says how close the closest contribution came.
    if (builder.trainingInfluences.length === 0)
      assert.match(
        builder.trainingInfluenceNote ?? "",
        /^No training contribution measurably shaped this answer: the closest you may see, contribution \d+ of Datanet \d+, aligned -?\d\.\d\d with it, under the 0\.30 that counts as influence\.$/,
      );
    else assert.equal(builder.trainingInfluenceNote, undefined, builder.trainingInfluenceNote);
    assert.ok(builder.trainingInfluences.every((t) => t.datanetId === gated.toString()));
  });
});

describe("training influences from a worker ranking", () => {
  const meta = (id: string) => ({
    contributionId: id,
    datanetId: "1",
    contributor: "0x00000000000000000000000000000000000000c1" as const,
    timestamp: 1,
    transactionHash: `0x${"ab".repeat(32)}` as const,
    contentId: "bafy",
    metadataURI: "ipfs://m",
  });

  it("keeps visible contributions at or above the threshold, best first, weights from the scores", () => {
    const ranking = [
      { contribution: "4", score: 0.9 },
      { contribution: "5", score: 0.6 },
      { contribution: "6", score: 0.45 },
      { contribution: "7", score: MIN_INFLUENCE_SCORE - 0.001 },
    ];
    const got = trainingInfluences(ranking, (id) => (id === "5" ? undefined : meta(id)));
    assert.deepEqual(
      got.map((t) => [t.contributionId, t.rank, t.weight]),
      [
        ["4", 1, 6666],
        ["6", 2, 3333],
      ],
    );
    assert.equal(got[0]!.reason, describeTrainingInfluence(0.9));
    assert.ok(got.reduce((n, t) => n + t.weight, 0) <= 10_000);
  });

  it("keeps at most MAX_TRAINING_INFLUENCES and refuses a non-finite score", () => {
    const many = Array.from({ length: MAX_TRAINING_INFLUENCES + 3 }, (_, i) => ({ contribution: String(i + 1), score: 0.9 - i * 0.01 }));
    assert.equal(trainingInfluences(many, meta).length, MAX_TRAINING_INFLUENCES);
    assert.deepEqual(trainingInfluences([{ contribution: "1", score: 0.1 }], meta), []);
    assert.throws(() => trainingInfluences([{ contribution: "3", score: Number.NaN }], meta), /contribution 3 has a non-finite score NaN/);
  });
});
