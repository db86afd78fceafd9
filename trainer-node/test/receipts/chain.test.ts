// End to end on a real in-process chain: index contributions registered on chain, retrieve,
// attribute, batch the receipts, post them through AttributionLedger and verify one on chain
// with the proof the batcher returns. Run from trainer-node/ (Hardhat finds the repository's
// config by walking up).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
// Brings in the `viem` field that the toolbox adds to network connections (types only).
import type {} from "@nomicfoundation/hardhat-toolbox-viem";
import { getContract, keccak256, parseEventLogs, stringToBytes, type Hex } from "viem";
import {
  attributionLedgerAbi,
  datanetRegistryAbi,
  hashAnswer,
  leafFromJson,
  trainerRegistryAbi,
  trainingJobsAbi,
  unpackCitations,
  unpackReceiptGroups,
  verifyReceiptCall,
  type ContributionMeta,
  type TrainingInfluence,
} from "@modelfactory/sdk";
import { deployProtocol } from "../../../scripts/lib/deploy.ts";
import { attribute } from "../../src/rag/attribution.ts";
import { DatanetIndex } from "../../src/rag/datanet-index.ts";
import { ReceiptBatcher, type PostBatchRequest } from "../../src/receipts/batcher.ts";
import { attributionLedgerPoster } from "../../src/receipts/ledger.ts";
import { tempStore } from "./fixtures.ts";
import { RECORD_SCHEMA, type DatasetRecord } from "@modelfactory/sdk";

const hashOf = (label: string): Hex => keccak256(stringToBytes(label));

describe("receipts on chain", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let temp: Awaited<ReturnType<typeof tempStore>>;

  async function setup() {
    const { viem } = await network.create();
    const [admin, owner, contributor, builder, trainer] = await viem.getWalletClients();
    const publicClient = await viem.getPublicClient();
    const protocol = await deployProtocol(viem, admin!.account.address);
    // Typed by the SDK's ABIs, as the trainer node sees the contracts.
    const client = { public: publicClient, wallet: admin! };
    const datanetRegistry = getContract({ address: protocol.datanetRegistry.address, abi: datanetRegistryAbi, client });
    const trainerRegistry = getContract({ address: protocol.trainerRegistry.address, abi: trainerRegistryAbi, client });
    const trainingJobs = getContract({ address: protocol.trainingJobs.address, abi: trainingJobsAbi, client });
    const attributionLedger = getContract({ address: protocol.attributionLedger.address, abi: attributionLedgerAbi, client });
    await trainerRegistry.write.admitTrainer([trainer!.account.address, "http://127.0.0.1:8787", "ipfs://node"], {
      account: admin!.account,
    });
    await datanetRegistry.write.createDatanet(["ipfs://datanet", "CC-BY-4.0", 0, 0], { account: owner!.account });
    const corpus: DatasetRecord[][] = [
      [
        {
          schema: RECORD_SCHEMA,
          kind: "instruction",
          instruction: "What does LoRA train?",
          input: "",
          output: "LoRA trains two low-rank matrices while the base weights stay frozen.",
        },
      ],
      [{ schema: RECORD_SCHEMA, kind: "text", text: "QLoRA keeps the frozen base model in 4-bit NormalFloat to save memory." }],
    ];
    const index = new DatanetIndex();
    const metas: ContributionMeta[] = [];
    for (const [i, records] of corpus.entries()) {
      const hash = await datanetRegistry.write.contribute([1n, hashOf(`c${i}`), `bafyc${i}`, `ipfs://meta${i}`], {
        account: contributor!.account,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      const [event] = parseEventLogs({ abi: datanetRegistryAbi, logs: receipt.logs, eventName: "ContributionRegistered" });
      const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
      const meta = {
        contributionId: event!.args.contributionId,
        datanetId: 1n,
        contributor: contributor!.account.address,
        timestamp: Number(block.timestamp),
        transactionHash: hash,
        contentId: `bafyc${i}`,
        metadataURI: `ipfs://meta${i}`,
      };
      index.upsertContribution(meta, records);
      metas.push({ ...meta, contributionId: String(meta.contributionId), datanetId: "1" });
    }
    await trainingJobs.write.createJob([[1n], "ipfs://spec", hashOf("spec")], { account: builder!.account });
    await trainingJobs.write.claimJob([1n], { account: trainer!.account });
    await trainingJobs.write.completeJob([1n, "bafyadapter", hashOf("adapter"), "ipfs://metrics", hashOf("manifest"), "ipfs://manifest"], {
      account: trainer!.account,
    });
    const poster = attributionLedgerPoster({
      publicClient,
      walletClient: trainer!,
      address: protocol.attributionLedger.address,
      fromBlock: BigInt(protocol.blockNumber),
    });
    return { attributionLedger, publicClient, index, poster, metas, modelId: 1n };
  }

  before(async () => {
    env = await setup();
    temp = await tempStore();
  });
  after(async () => temp.cleanup());

  it("posts a batch through AttributionLedger and verifies a receipt on chain with the batcher's proof, with and without training influences", async () => {
    const { index, poster, attributionLedger, metas, modelId } = env;
    const batcher = await ReceiptBatcher.open({
      dataDir: temp.dir,
      contentStore: temp.store,
      ...poster,
      maxReceipts: 100,
      maxDelayMs: 3_600_000,
    });
    const questions = ["What does LoRA train?", "How does QLoRA save memory?", "Are base weights frozen in LoRA?"];
    const ids: Hex[] = [];
    const influences: TrainingInfluence[][] = [];
    for (const [q, question] of questions.entries()) {
      const retrieved = index.search(question, [1n], 3);
      assert.ok(retrieved.length > 0);
      const answer = `${retrieved[0]!.passage.text.split("\n").at(-1)}`;
      const citations = attribute({ question, answer, retrieved });
      // The first two answers were also shaped by training on both contributions (the second
      // in the other order); the third by retrieval alone.
      const order = q === 0 ? metas : [...metas].reverse();
      const trainingInfluences: TrainingInfluence[] =
        q === 2
          ? []
          : order.map((m, rank) => ({
              ...m,
              rank: rank + 1,
              score: 0.8 - rank / 2,
              weight: [
                [7000, 3000],
                [7500, 2500],
              ][q]![rank]!,
              reason: "training on this contribution moved the model toward this answer",
            }));
      influences.push(trainingInfluences);
      const { document } = await batcher.submit({ modelId, question, answer, citations, trainingInfluences });
      assert.equal(document.answerHash, hashAnswer(answer));
      ids.push(document.receiptId);
    }
    const { posted } = await batcher.flush();
    assert.equal(posted.length, 1);
    const batch = posted[0]!;
    assert.equal(batch.batchId, 1n);
    assert.deepEqual(await attributionLedger.read.batchOf([batch.root]), [1n, 1n]);
    assert.equal(await attributionLedger.read.batchCount(), 1n);

    const [event] = parseEventLogs({
      abi: attributionLedgerAbi,
      logs: (await env.publicClient.getTransactionReceipt({ hash: batch.transactionHash })).logs,
      eventName: "AttributionBatchPosted",
    });
    assert.equal(event!.args.receiptsURI, batch.receiptsURI);
    assert.equal(event!.args.receiptCount, 3);
    assert.ok(unpackCitations(event!.args.citations).length > 0);
    assert.ok(unpackCitations(event!.args.citations).every((c) => c.contributionId === 1n || c.contributionId === 2n));
    // Every training weight is in the event, attributed to its contribution and marked as training.
    const groups = unpackReceiptGroups(event!.args.citations);
    assert.equal(groups.length, 3);
    for (const [i, id] of ids.entries()) {
      const group = groups.find((g) => g.receiptKey === id.slice(0, 14))!;
      const expected = new Map<bigint, number>();
      for (const t of influences[i]!) expected.set(BigInt(t.contributionId), (expected.get(BigInt(t.contributionId)) ?? 0) + t.weight);
      assert.deepEqual(
        group.citations.filter((c) => c.kind === "training").map((c) => [c.contributionId, c.weight]),
        [...expected],
      );
      assert.ok(group.citations.some((c) => c.kind === "retrieval"));
    }

    for (const id of ids) {
      const status = batcher.status(id)!;
      assert.equal(status.status, "posted");
      assert.equal(status.transactionHash, batch.transactionHash);
      const leaf = leafFromJson(status.leaf);
      const onChain = (r: typeof leaf) =>
        env.publicClient.readContract({
          address: attributionLedger.address,
          ...verifyReceiptCall(BigInt(status.batchId!), r, status.proof!),
        });
      assert.equal(await onChain(leaf), true);
      assert.equal(await onChain({ ...leaf, weights: leaf.weights.map((w) => w + 1) }), false);
      if (leaf.trainingWeights.length)
        assert.equal(await onChain({ ...leaf, trainingWeights: leaf.trainingWeights.map((w) => w - 1) }), false);
    }
    assert.deepEqual(
      ids.map((id) => leafFromJson(batcher.status(id)!.leaf).trainingWeights.length > 0),
      [true, true, false],
    );

    // The idempotency check finds the batch again by its root, and nothing else.
    const request: PostBatchRequest = { modelId, root: batch.root, receiptsURI: batch.receiptsURI, receiptCount: 3, citations: "0x" };
    assert.deepEqual(await poster.findPostedBatch(request), { batchId: 1n, transactionHash: batch.transactionHash });
    assert.equal(await poster.findPostedBatch({ ...request, root: hashOf("other") }), null);
    await batcher.close();
  });
});
