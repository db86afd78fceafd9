import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { getAddress, zeroAddress, zeroHash, type Hex } from "viem";
import { buildReceiptTree, buildReceiptTreeReference, hashAnswer, packCitations, receiptKey, receiptLeaf, receiptProof, unpackCitations, unpackReceiptGroups, verifyReceipt, type Receipt } from "@modelfactory/sdk";
import { admitTrainers, connect, contribute, hashOf, type Env } from "../helpers/fixture.ts";

/** Packs raw groups, including ones the SDK would refuse: [key, [[id, weight]…]]. */
function packRaw(groups: [string, [bigint, number][]][]): Hex {
  return `0x${groups.map(([key, cs]) => key.padStart(12, "0") + cs.length.toString(16).padStart(4, "0") + cs.map(([id, w]) => id.toString(16).padStart(12, "0") + w.toString(16).padStart(4, "0")).join("")).join("")}`;
}

describe("AttributionLedger", () => {
  let env: Env;
  let modelId: bigint;
  const receipts: Receipt[] = Array.from({ length: 5 }, (_, i) => ({
    receiptId: hashOf(`receipt-${i}`),
    modelId: 1n,
    answerHash: hashAnswer(`answer ${i}`),
    contributionIds: [BigInt(i + 1), BigInt(i + 10), 12n],
    weights: [6000, 3000 - i, 1000],
    detailsHash: hashOf(`details-${i}`),
  }));

  before(async () => {
    env = await connect();
    const { trainingJobs, accounts } = env;
    await admitTrainers(env, accounts.trainer);
    await env.datanetRegistry.write.createDatanet(["ipfs://m", "MIT", 0, 0], { account: accounts.owner.account });
    for (let i = 1; i <= 14; i++) await contribute(env, 1n, `c${i}`);
    await trainingJobs.write.createJob([[1n], "ipfs://spec", hashOf("spec")], { account: accounts.builder.account });
    await trainingJobs.write.claimJob([1n], { account: accounts.trainer.account });
    await trainingJobs.write.completeJob([1n, "bafy", hashOf("a"), "ipfs://m", hashOf("root"), "ipfs://manifest"], { account: accounts.trainer.account });
    modelId = 1n;
  });

  it("posts a batch and emits the packed citations the SDK packs and unpacks", async () => {
    const { attributionLedger, viem, accounts } = env;
    const tree = buildReceiptTree(receipts);
    const packed = packCitations(receipts);
    assert.equal((packed.length - 2) / 2, (5 + 15) * 8, "one header per receipt and 8 bytes per citation");
    await viem.assertions.emitWithArgs(
      attributionLedger.write.postBatch([modelId, tree.root as Hex, "ipfs://receipts", 5, packed], { account: accounts.trainer.account }),
      attributionLedger,
      "AttributionBatchPosted",
      [1n, modelId, getAddress(accounts.trainer.account.address), tree.root as Hex, "ipfs://receipts", 5, packed],
    );
    assert.deepEqual(await attributionLedger.read.batchOf([tree.root as Hex]), [1n, modelId]);
    assert.equal(await attributionLedger.read.batchCount(), 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.read.batchOf([hashOf("never")]), attributionLedger, "UnknownBatchRoot", [hashOf("never")]);
    // The same root is refused a second time.
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.postBatch([modelId, tree.root as Hex, "ipfs://again", 5, packed], { account: accounts.trainer.account }),
      attributionLedger,
      "BatchAlreadyPosted",
      [tree.root as Hex, 1n],
    );
    const groups = unpackReceiptGroups(packed);
    assert.deepEqual(groups.map((g) => g.receiptKey), receipts.map((r) => receiptKey(r.receiptId)));
    assert.equal(receiptKey(receipts[0]!.receiptId).length, 2 + 12);
    assert.deepEqual(groups[1]!.citations, [
      { contributionId: 2n, weight: 6000 },
      { contributionId: 11n, weight: 2999 },
      { contributionId: 12n, weight: 1000 },
    ]);
    assert.deepEqual(unpackCitations(packed), groups.flatMap((g) => g.citations));
    // A receipt without citations is a header alone.
    const bare = { ...receipts[0]!, contributionIds: [], weights: [] };
    await attributionLedger.write.postBatch([modelId, hashOf("bare"), "ipfs://r", 2, packCitations([bare, receipts[1]!])], { account: accounts.trainer.account });
    assert.deepEqual(unpackReceiptGroups(packCitations([bare])), [{ receiptKey: receiptKey(bare.receiptId), citations: [] }]);
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
    await env.viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.read.verifyReceipt([0n, receipts[0]!, []]), attributionLedger, "BatchNotFound", [0n]);
  });

  it("binds a receipt's model to its batch's model and the proof to the batch id", async () => {
    const { attributionLedger, trainingJobs, accounts } = env;
    // A second model, and a batch for it whose receipts claim model 2.
    await trainingJobs.write.createJob([[1n], "ipfs://spec", hashOf("spec-2")], { account: accounts.builder.account });
    await trainingJobs.write.claimJob([2n], { account: accounts.trainer.account });
    await trainingJobs.write.completeJob([2n, "bafy", hashOf("a2"), "ipfs://m", hashOf("root2"), "ipfs://manifest2"], { account: accounts.trainer.account });
    // A batch posted for model 2 whose receipts say model 1 (a lying node) does not verify.
    const claimed = receipts.map((r) => ({ ...r, receiptId: hashOf(`m2-${r.receiptId}`) }));
    const tree = buildReceiptTree(claimed);
    await attributionLedger.write.postBatch([2n, tree.root as Hex, "ipfs://r2", 5, packCitations(claimed)], { account: accounts.trainer.account });
    const batchId = await attributionLedger.read.batchCount();
    const proof = receiptProof(tree, claimed[0]!.receiptId);
    assert.equal(verifyReceipt(tree.root as Hex, claimed[0]!, proof), true, "the proof itself is fine");
    assert.equal(await attributionLedger.read.verifyReceipt([batchId, claimed[0]!, proof]), false, "model 1 receipt in a model-2 batch");
    // Model 999 does not exist: a receipt claiming it never verifies either.
    assert.equal(await attributionLedger.read.verifyReceipt([batchId, { ...claimed[0]!, modelId: 999n }, proof]), false);
    // Batch 1's receipts do not verify under another batch id.
    const tree1 = buildReceiptTree(receipts);
    assert.equal(await attributionLedger.read.verifyReceipt([batchId, receipts[0]!, receiptProof(tree1, receipts[0]!.receiptId)]), false);
  });

  it("lets only the model's trainer and the serving nodes its builder authorized post", async () => {
    const { attributionLedger, trainingJobs, trainerRegistry, viem, accounts } = env;
    await admitTrainers(env, accounts.trainer2);
    const node = getAddress(accounts.trainer2.account.address);
    const builder = getAddress(accounts.builder.account.address);
    const one = [{ ...receipts[0]!, receiptId: hashOf("served") }];
    const post = (root: string) => attributionLedger.write.postBatch([modelId, hashOf(root), "ipfs://s", 1, packCitations(one)], { account: accounts.trainer2.account });
    await viem.assertions.revertWithCustomErrorWithArgs(post("s1"), attributionLedger, "NotModelPoster", [modelId, node]);
    const asBuilder = { account: accounts.builder.account };
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.authorizeServingNode([modelId, node], { account: accounts.other.account }), attributionLedger, "NotModelBuilder", [modelId, getAddress(accounts.other.account.address)]);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.authorizeServingNode([77n, node], asBuilder), attributionLedger, "UnknownModel", [77n]);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.authorizeServingNode([modelId, zeroAddress], asBuilder), attributionLedger, "ZeroServingNode", []);
    await viem.assertions.emitWithArgs(attributionLedger.write.authorizeServingNode([modelId, node], asBuilder), attributionLedger, "ServingNodeAuthorized", [modelId, node, builder]);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.authorizeServingNode([modelId, node], asBuilder), attributionLedger, "ServingNodeAlreadyAuthorized", [modelId, node]);
    assert.equal(await attributionLedger.read.isServingNode([modelId, node]), true);
    await post("s1");
    // An authorized node that is no longer an active trainer cannot post.
    await trainerRegistry.write.setActive([false], { account: accounts.trainer2.account });
    await viem.assertions.revertWithCustomErrorWithArgs(post("s2"), attributionLedger, "NotActiveTrainer", [node]);
    await trainerRegistry.write.setActive([true], { account: accounts.trainer2.account });
    await viem.assertions.emitWithArgs(attributionLedger.write.revokeServingNode([modelId, node], asBuilder), attributionLedger, "ServingNodeRevoked", [modelId, node, builder]);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.revokeServingNode([modelId, node], asBuilder), attributionLedger, "ServingNodeNotAuthorized", [modelId, node]);
    await viem.assertions.revertWithCustomErrorWithArgs(post("s3"), attributionLedger, "NotModelPoster", [modelId, node]);
    assert.equal(await attributionLedger.read.isServingNode([modelId, node]), false);
    assert.equal(await trainingJobs.read.modelBuilder([modelId]), builder);
    assert.equal(await trainingJobs.read.modelBuilder([99n]), zeroAddress);
    assert.equal(await trainingJobs.read.modelTrainer([modelId]), getAddress(accounts.trainer.account.address));
  });

  it("refuses batches from non-trainers, for unknown models, empty or malformed", async () => {
    const { attributionLedger, viem, accounts } = env;
    const as = { account: accounts.trainer.account };
    const root = hashOf("r");
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "u", 1, "0x"], { account: accounts.other.account }), attributionLedger, "NotActiveTrainer", [getAddress(accounts.other.account.address)]);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([9n, root, "u", 1, "0x"], as), attributionLedger, "UnknownModel", [9n]);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "u", 0, "0x"], as), attributionLedger, "EmptyBatch", []);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, zeroHash, "u", 1, "0x"], as), attributionLedger, "EmptyBatch", []);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "", 1, "0x"], as), attributionLedger, "EmptyBatch", []);
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "u", 1, "0x0102"], as), attributionLedger, "InvalidCitations", [2n]);
    const tooLong = ("0x" + "00".repeat(8 * 8193)) as Hex;
    await viem.assertions.revertWithCustomErrorWithArgs(attributionLedger.write.postBatch([modelId, root, "u", 1, tooLong], as), attributionLedger, "InvalidCitations", [8n * 8193n]);
  });

  it("refuses packed groups that are malformed, miscounted, of unknown contributions or over 10,000 bp", async () => {
    const { attributionLedger, viem, accounts } = env;
    const as = { account: accounts.trainer.account };
    const root = hashOf("r2");
    const post = (count: number, packed: Hex) => attributionLedger.write.postBatch([modelId, root, "u", count, packed], as);
    type LedgerError = "InvalidCitations" | "ReceiptCountMismatch" | "UnknownContribution" | "ReceiptWeightTooHigh";
    const err = (name: LedgerError, args: unknown[], count: number, packed: Hex) =>
      viem.assertions.revertWithCustomErrorWithArgs(post(count, packed), attributionLedger, name, args as never);
    // A group that declares more citations than follow, and a trailing fragment.
    const two = packRaw([["aa", [[1n, 10], [2n, 10]]]]);
    await err("InvalidCitations", [16n], 1, two.slice(0, 2 + 32) as Hex);
    await err("InvalidCitations", [28n], 2, (two + "00000000") as Hex);
    await err("ReceiptCountMismatch", [2, 1n], 2, two);
    await err("ReceiptCountMismatch", [1, 2n], 1, packRaw([["aa", []], ["bb", [[3n, 1]]]]));
    await err("ReceiptCountMismatch", [1, 0n], 1, "0x");
    await err("UnknownContribution", [0n], 1, packRaw([["aa", [[1n, 10], [0n, 10]]]]));
    await err("UnknownContribution", [15n], 2, packRaw([["aa", [[14n, 10]]], ["bb", [[15n, 10]]]]));
    await err("UnknownContribution", [281474976710655n], 1, packRaw([["aa", [[281474976710655n, 1]]]]));
    // Each receipt's total is bounded (and with it every weight): 10,000 passes, 10,001 does not.
    await err("ReceiptWeightTooHigh", [1n, 10001n], 2, packRaw([["aa", [[1n, 10000]]], ["bb", [[1n, 5000], [2n, 5001]]]]));
    await err("ReceiptWeightTooHigh", [0n, 65535n], 1, packRaw([["aa", [[1n, 65535]]]]));
    await post(2, packRaw([["aa", [[1n, 10000]]], ["bb", [[1n, 5000], [2n, 5000]]]]));
  });

  it("SDK codecs refuse what the chain would not index", () => {
    assert.throws(() => unpackCitations("0x0102"), /not a multiple of 8/);
    assert.throws(() => unpackReceiptGroups(packRaw([["aa", [[1n, 1]]]]).slice(0, 18) as Hex), /declares 1 citations/);
    assert.throws(() => packCitations([{ ...receipts[0]!, contributionIds: [1n << 48n], weights: [1] }]), /48 bits/);
    assert.throws(() => packCitations([{ ...receipts[0]!, contributionIds: [0n], weights: [1] }]), /48 bits/);
    assert.throws(() => packCitations([{ ...receipts[0]!, contributionIds: [1n, 2n], weights: [5000, 5001] }]), /10001 basis points/);
    const many = Array.from({ length: 0x10000 }, () => 1n);
    assert.throws(() => packCitations([{ ...receipts[0]!, contributionIds: many, weights: many.map(() => 0) }]), /at most 65535/);
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
