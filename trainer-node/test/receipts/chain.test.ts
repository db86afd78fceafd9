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
import { attributionLedgerAbi, datanetRegistryAbi, hashAnswer, leafFromJson, trainerRegistryAbi, trainingJobsAbi, unpackCitations } from "@modelfactory/sdk";
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
    await trainerRegistry.write.admitTrainer([trainer!.account.address, "http://127.0.0.1:8787", "ipfs://node"], { account: admin!.account });
    await datanetRegistry.write.createDatanet(["ipfs://datanet", "CC-BY-4.0", 0, 0], { account: owner!.account });
    const corpus: DatasetRecord[][] = [
      [{ schema: RECORD_SCHEMA, kind: "instruction", instruction: "What does LoRA train?", input: "", output: "LoRA trains two low-rank matrices while the base weights stay frozen." }],
      [{ schema: RECORD_SCHEMA, kind: "text", text: "QLoRA keeps the frozen base model in 4-bit NormalFloat to save memory." }],
    ];
    const index = new DatanetIndex();
    for (const [i, records] of corpus.entries()) {
      const hash = await datanetRegistry.write.contribute([1n, hashOf(`c${i}`), `bafyc${i}`, `ipfs://meta${i}`], { account: contributor!.account });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      const [event] = parseEventLogs({ abi: datanetRegistryAbi, logs: receipt.logs, eventName: "ContributionRegistered" });
      const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
      index.upsertContribution(
        { contributionId: event!.args.contributionId, datanetId: 1n, contributor: contributor!.account.address, timestamp: Number(block.timestamp), transactionHash: hash, contentId: `bafyc${i}`, metadataURI: `ipfs://meta${i}` },
        records,
      );
    }
    await trainingJobs.write.createJob([[1n], "ipfs://spec", hashOf("spec")], { account: builder!.account });
    await trainingJobs.write.claimJob([1n], { account: trainer!.account });
    await trainingJobs.write.completeJob([1n, "bafyadapter", hashOf("adapter"), "ipfs://metrics", hashOf("manifest"), "ipfs://manifest"], { account: trainer!.account });
    const poster = attributionLedgerPoster({ publicClient, walletClient: trainer!, address: protocol.attributionLedger.address, fromBlock: BigInt(protocol.blockNumber) });
    return { attributionLedger, publicClient, index, poster, modelId: 1n };
  }

  before(async () => {
    env = await setup();
    temp = await tempStore();
  });
  after(async () => temp.cleanup());

  it("posts a batch through AttributionLedger and verifies a receipt on chain with the batcher's proof", async () => {
    const { index, poster, attributionLedger, modelId } = env;
    const batcher = await ReceiptBatcher.open({ dataDir: temp.dir, contentStore: temp.store, ...poster, maxReceipts: 100, maxDelayMs: 3_600_000 });
    const questions = ["What does LoRA train?", "How does QLoRA save memory?", "Are base weights frozen in LoRA?"];
    const ids: Hex[] = [];
    for (const question of questions) {
      const retrieved = index.search(question, [1n], 3);
      assert.ok(retrieved.length > 0);
      const answer = `${retrieved[0]!.passage.text.split("\n").at(-1)}`;
      const citations = attribute({ question, answer, retrieved });
      const { document } = await batcher.submit({ modelId, question, answer, citations });
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

    for (const id of ids) {
      const status = batcher.status(id)!;
      assert.equal(status.status, "posted");
      assert.equal(status.transactionHash, batch.transactionHash);
      const leaf = leafFromJson(status.leaf);
      assert.equal(await attributionLedger.read.verifyReceipt([BigInt(status.batchId!), leaf, status.proof!]), true);
      const forged = { ...leaf, weights: leaf.weights.map((w) => w + 1) };
      assert.equal(await attributionLedger.read.verifyReceipt([BigInt(status.batchId!), forged, status.proof!]), false);
    }

    // The idempotency check finds the batch again by its root, and nothing else.
    const request: PostBatchRequest = { modelId, root: batch.root, receiptsURI: batch.receiptsURI, receiptCount: 3, citations: "0x" };
    assert.deepEqual(await poster.findPostedBatch(request), { batchId: 1n, transactionHash: batch.transactionHash });
    assert.equal(await poster.findPostedBatch({ ...request, root: hashOf("other") }), null);
    await batcher.close();
  });
});
