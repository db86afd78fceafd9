import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { getAddress, zeroHash, type Hex } from "viem";
import { buildReceiptTree, buildReceiptTreeReference, hashAnswer, packCitations, receiptLeaf, receiptProof, unpackCitations, verifyReceipt, type Receipt } from "@modelfactory/sdk";
import { admitTrainers, connect, hashOf, type Env } from "../helpers/fixture.ts";

describe("AttributionLedger", () => {
  let env: Env;
  let modelId: bigint;
  const receipts: Receipt[] = Array.from({ length: 5 }, (_, i) => ({
    receiptId: hashOf(`receipt-${i}`),
    modelId: 1n,
    answerHash: hashAnswer(`answer ${i}`),
    contributionIds: [BigInt(i + 1), BigInt(i + 10), 281474976710655n],
    weights: [6000, 3000 + i, 1000],
    detailsHash: hashOf(`details-${i}`),
  }));

  before(async () => {
    env = await connect();
    const { trainingJobs, accounts } = env;
    await admitTrainers(env, accounts.trainer);
    await env.datanetRegistry.write.createDatanet(["ipfs://m", "MIT", 0, 0], { account: accounts.owner.account });
    await trainingJobs.write.createJob([[1n], "ipfs://spec", hashOf("spec")], { account: accounts.builder.account });
    await trainingJobs.write.claimJob([1n], { account: accounts.trainer.account });
    await trainingJobs.write.completeJob([1n, "bafy", hashOf("a"), "ipfs://m", hashOf("root")], { account: accounts.trainer.account });
    modelId = 1n;
  });

  it("posts a batch and emits the packed citations the SDK packs and unpacks", async () => {
    const { attributionLedger, viem, accounts } = env;
    const tree = buildReceiptTree(receipts);
    const packed = packCitations(receipts);
    assert.equal((packed.length - 2) / 2, 15 * 8);
    await viem.assertions.emitWithArgs(
      attributionLedger.write.postBatch([modelId, tree.root as Hex, "ipfs://receipts", 5, packed], { account: accounts.trainer.account }),
      attributionLedger,
      "AttributionBatchPosted",
      [1n, modelId, getAddress(accounts.trainer.account.address), tree.root as Hex, "ipfs://receipts", 5, packed],
    );
    assert.equal(await attributionLedger.read.batchRoot([1n]), tree.root);
    assert.equal(await attributionLedger.read.batchCount(), 1n);
    const unpacked = unpackCitations(packed);
    assert.deepEqual(unpacked.slice(0, 3), [
      { contributionId: 1n, weight: 6000 },
      { contributionId: 10n, weight: 3000 },
      { contributionId: 281474976710655n, weight: 1000 },
    ]);
  });

  it("agrees with the SDK on receipt leaves and verifies SDK proofs on chain", async () => {
    const { attributionLedger } = env;
    const tree = buildReceiptTree(receipts);
    for (const r of receipts) {
      assert.equal(await attributionLedger.read.receiptLeaf([r]), receiptLeaf(r));
      const proof = receiptProof(tree, r.receiptId);
      assert.equal(await attributionLedger.read.verifyReceipt([1n, r, proof]), true);
      assert.equal(verifyReceipt(tree.root as Hex, r, proof), true);
      const forged = { ...r, weights: r.weights.map((w) => w + 1) };
      assert.equal(await attributionLedger.read.verifyReceipt([1n, forged, proof]), false);
      assert.equal(verifyReceipt(tree.root as Hex, forged, proof), false);
    }
    await env.viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.read.verifyReceipt([9n, receipts[0]!, []]), attributionLedger, "BatchNotFound", [9n]);
  });

  it("refuses batches from non-trainers, for unknown models, empty or malformed", async () => {
    const { attributionLedger, viem, accounts } = env;
    const as = { account: accounts.trainer.account };
    const root = hashOf("r");
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "u", 1, "0x"], { account: accounts.other.account }), attributionLedger, "NotActiveTrainer", [getAddress(accounts.other.account.address)]);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([2n, root, "u", 1, "0x"], as), attributionLedger, "UnknownModel", [2n]);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "u", 0, "0x"], as), attributionLedger, "EmptyBatch", []);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, zeroHash, "u", 1, "0x"], as), attributionLedger, "EmptyBatch", []);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "", 1, "0x"], as), attributionLedger, "EmptyBatch", []);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "u", 1, "0x0102"], as), attributionLedger, "InvalidCitations", [2n]);
    const tooLong = ("0x" + "00".repeat(8 * 4097)) as Hex;
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "u", 1, tooLong], as), attributionLedger, "InvalidCitations", [8n * 4097n]);
  });

  it("SDK codecs refuse what the chain would not index", () => {
    assert.throws(() => unpackCitations("0x0102"), /not a multiple of 8/);
    assert.throws(() => packCitations([{ ...receipts[0]!, contributionIds: [1n << 48n], weights: [1] }]), /48 bits/);
    assert.throws(() => receiptLeaf({ ...receipts[0]!, weights: [1] }), /3 contributions but 1 weights/);
    assert.throws(() => buildReceiptTree([]), /at least one receipt/);
  });
});

describe("receipt tree", () => {
  it("matches OpenZeppelin's StandardMerkleTree root and proofs", () => {
    const rs: Receipt[] = Array.from({ length: 13 }, (_, i) => ({
      receiptId: hashOf(`t${i}`),
      modelId: BigInt(i % 3),
      answerHash: hashAnswer(`a${i}`),
      contributionIds: Array.from({ length: i % 4 }, (_, j) => BigInt(j + i)),
      weights: Array.from({ length: i % 4 }, (_, j) => j * 100),
      detailsHash: hashOf(`d${i}`),
    }));
    const ours = buildReceiptTree(rs);
    const reference = buildReceiptTreeReference(rs);
    assert.equal(ours.root, reference.root);
    rs.forEach((r, i) => {
      assert.deepEqual(ours.getProof(i), reference.getProof(i));
      assert.equal(receiptLeaf(r), reference.leafHash([r.receiptId, r.modelId, r.answerHash, r.contributionIds, r.weights, r.detailsHash]));
    });
  });
});
