import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { getAddress, zeroAddress, zeroHash, type Hex } from "viem";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  buildReceiptTree,
  buildReceiptTreeReference,
  hashAnswer,
  packCitations,
  receiptKey,
  receiptLeaf,
  receiptProof,
  unpackCitations,
  unpackReceiptGroups,
  verifyReceipt,
  verifyReceiptCall,
  type Receipt,
  type ReceiptLeafValues,
} from "@modelfactory/sdk";
import { admitTrainers, connect, contribute, hashOf, type Env } from "../helpers/fixture.ts";

type RawCitation = [bigint, number];
/** Packs raw groups, including ones the SDK would refuse: [key, retrieval [[id, weight]…], training [[id, weight]…]]. */
function packRaw(groups: [string, RawCitation[], RawCitation[]?][]): Hex {
  const word = ([id, w]: RawCitation) => id.toString(16).padStart(12, "0") + w.toString(16).padStart(4, "0");
  return `0x${groups
    .map(
      ([key, rs, ts = []]) =>
        key.padStart(12, "0") +
        rs.length.toString(16).padStart(2, "0") +
        ts.length.toString(16).padStart(2, "0") +
        rs.map(word).join("") +
        ts.map(word).join(""),
    )
    .join("")}`;
}

/** `AttributionLedger.verifyReceipt` through the SDK's call (which picks the overload for the receipt). */
function verifyOnChain(env: Env, [batchId, receipt, proof]: [bigint, Receipt, Hex[]]): Promise<boolean> {
  return env.publicClient.readContract({
    address: env.attributionLedger.address,
    ...verifyReceiptCall(batchId, receipt, proof),
  }) as Promise<boolean>;
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
    // Receipt 0 has no training influences (the pre-receipt/3 leaf); the others one or two, one
    // of them also cited through retrieval.
    trainingContributionIds: i === 0 ? [] : i % 2 ? [13n] : [14n, BigInt(i + 1)],
    trainingWeights: i === 0 ? [] : i % 2 ? [10_000] : [7000, 2500 + i],
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
    await trainingJobs.write.completeJob([1n, "bafy", hashOf("a"), "ipfs://m", hashOf("root"), "ipfs://manifest"], {
      account: accounts.trainer.account,
    });
    modelId = 1n;
  });

  it("posts a batch and emits the packed citations the SDK packs and unpacks", async () => {
    const { attributionLedger, viem, accounts } = env;
    const tree = buildReceiptTree(receipts);
    const packed = packCitations(receipts);
    assert.equal((packed.length - 2) / 2, (5 + 15 + 6) * 8, "one header per receipt and 8 bytes per citation of either list");
    await viem.assertions.emitWithArgs(
      attributionLedger.write.postBatch([modelId, tree.root as Hex, "ipfs://receipts", 5, packed], { account: accounts.trainer.account }),
      attributionLedger,
      "AttributionBatchPosted",
      [1n, modelId, getAddress(accounts.trainer.account.address), tree.root as Hex, "ipfs://receipts", 5, packed],
    );
    assert.deepEqual(await attributionLedger.read.batchOf([tree.root as Hex]), [1n, modelId]);
    assert.equal(await attributionLedger.read.batchCount(), 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.read.batchOf([hashOf("never")]),
      attributionLedger,
      "UnknownBatchRoot",
      [hashOf("never")],
    );
    // The same root is refused a second time.
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.postBatch([modelId, tree.root as Hex, "ipfs://again", 5, packed], { account: accounts.trainer.account }),
      attributionLedger,
      "BatchAlreadyPosted",
      [tree.root as Hex, 1n],
    );
    const groups = unpackReceiptGroups(packed);
    assert.deepEqual(
      groups.map((g) => g.receiptKey),
      receipts.map((r) => receiptKey(r.receiptId)),
    );
    assert.equal(receiptKey(receipts[0]!.receiptId).length, 2 + 12);
    assert.deepEqual(groups[1]!.citations, [
      { contributionId: 2n, weight: 6000, kind: "retrieval" },
      { contributionId: 11n, weight: 2999, kind: "retrieval" },
      { contributionId: 12n, weight: 1000, kind: "retrieval" },
      { contributionId: 13n, weight: 10_000, kind: "training" },
    ]);
    assert.deepEqual(
      groups[2]!.citations.filter((c) => c.kind === "training"),
      [
        { contributionId: 14n, weight: 7000, kind: "training" },
        { contributionId: 3n, weight: 2502, kind: "training" },
      ],
    );
    assert.equal(
      groups[0]!.citations.every((c) => c.kind === "retrieval"),
      true,
    );
    // The header's two counts: receipt 2 has 3 retrieval and 2 training citations.
    const header2 = packed.slice(2 + 16 * (4 + 5), 2 + 16 * (4 + 5) + 16);
    assert.equal(header2, receiptKey(receipts[2]!.receiptId).slice(2) + "03" + "02");
    assert.deepEqual(
      unpackCitations(packed),
      groups.flatMap((g) => g.citations),
    );
    // A receipt without citations is a header alone; one with only training influences is read as such.
    const bare = { ...receipts[0]!, contributionIds: [], weights: [] };
    const trainedOnly = { ...receipts[1]!, contributionIds: [], weights: [] };
    await attributionLedger.write.postBatch([modelId, hashOf("bare"), "ipfs://r", 3, packCitations([bare, receipts[1]!, trainedOnly])], {
      account: accounts.trainer.account,
    });
    assert.deepEqual(unpackReceiptGroups(packCitations([bare])), [{ receiptKey: receiptKey(bare.receiptId), citations: [] }]);
    assert.deepEqual(unpackReceiptGroups(packCitations([trainedOnly]))[0]!.citations, [
      { contributionId: 13n, weight: 10_000, kind: "training" },
    ]);
  });

  it("agrees with the SDK on receipt leaves and verifies SDK proofs on chain", async () => {
    const { attributionLedger } = env;
    const tree = buildReceiptTree(receipts);
    for (const r of receipts) {
      assert.equal(await attributionLedger.read.receiptLeaf([r]), receiptLeaf(r));
      const proof = receiptProof(tree, r.receiptId);
      assert.equal(await verifyOnChain(env, [1n, r, proof]), true);
      assert.equal(verifyReceipt(tree.root as Hex, r, proof), true);
      const forged = { ...r, weights: r.weights.map((w) => w + 1) };
      assert.equal(await verifyOnChain(env, [1n, forged, proof]), false);
      assert.equal(verifyReceipt(tree.root as Hex, forged, proof), false);
      // The training list is committed too: a changed weight, a dropped or an added influence fails.
      const trainingForgeries: Receipt[] = r.trainingWeights.length
        ? [
            { ...r, trainingWeights: r.trainingWeights.map((w) => w - 1) },
            { ...r, trainingContributionIds: [], trainingWeights: [] },
          ]
        : [{ ...r, trainingContributionIds: [1n], trainingWeights: [1] }];
      for (const f of trainingForgeries) {
        assert.notEqual(receiptLeaf(f), receiptLeaf(r));
        assert.equal(await verifyOnChain(env, [1n, f, proof]), false);
        assert.equal(verifyReceipt(tree.root as Hex, f, proof), false);
      }
      // The lists are not interchangeable: the same ids and weights moved to the other list differ.
      const swapped = {
        ...r,
        contributionIds: r.trainingContributionIds,
        weights: r.trainingWeights,
        trainingContributionIds: r.contributionIds,
        trainingWeights: r.weights,
      };
      assert.equal(verifyReceipt(tree.root as Hex, swapped, proof), false);
    }
    // A receipt without training influences has the leaf ledgers before receipt/3 computed, and
    // the retrieval-only verifyReceipt (their signature) proves it here too.
    const old = receipts[0]!;
    const { trainingContributionIds: _t, trainingWeights: _w, ...retrievalOnly } = old;
    const v2 = StandardMerkleTree.of(
      [[old.receiptId, old.modelId, old.answerHash, old.contributionIds, old.weights, old.detailsHash]],
      ["bytes32", "uint256", "bytes32", "uint256[]", "uint16[]", "bytes32"],
    );
    assert.equal(
      receiptLeaf(old),
      v2.leafHash([old.receiptId, old.modelId, old.answerHash, old.contributionIds, old.weights, old.detailsHash]),
    );
    const legacy = verifyReceiptCall(1n, old, receiptProof(tree, old.receiptId));
    assert.deepEqual(legacy.args[1], retrievalOnly);
    assert.equal(legacy.abi[0].inputs[1].components.length, 6, "the pre-receipt/3 signature");
    assert.equal(await verifyOnChain(env, [1n, old, receiptProof(tree, old.receiptId)]), true);
    assert.equal(await verifyOnChain(env, [1n, { ...old, weights: [1, 2, 3] }, receiptProof(tree, old.receiptId)]), false);
    await env.viem.assertions.revertWithCustomErrorWithArgs(verifyOnChain(env, [7n, old, []]), attributionLedger, "BatchNotFound", [7n]);
    assert.equal(verifyReceiptCall(1n, receipts[1]!, []).abi[0].inputs[1].components.length, 8);
    await env.viem.assertions.revertWithCustomErrorWithArgs(
      verifyOnChain(env, [9n, receipts[0]!, []]),
      attributionLedger,
      "BatchNotFound",
      [9n],
    );
    await env.viem.assertions.revertWithCustomErrorWithArgs(
      verifyOnChain(env, [0n, receipts[0]!, []]),
      attributionLedger,
      "BatchNotFound",
      [0n],
    );
    // The same for the two-list verifyReceipt.
    await env.viem.assertions.revertWithCustomErrorWithArgs(
      verifyOnChain(env, [9n, receipts[1]!, []]),
      attributionLedger,
      "BatchNotFound",
      [9n],
    );
    await env.viem.assertions.revertWithCustomErrorWithArgs(
      verifyOnChain(env, [0n, receipts[1]!, []]),
      attributionLedger,
      "BatchNotFound",
      [0n],
    );
  });

  it("binds a receipt's model to its batch's model and the proof to the batch id", async () => {
    const { attributionLedger, trainingJobs, accounts } = env;
    // A second model, and a batch for it whose receipts claim model 2.
    await trainingJobs.write.createJob([[1n], "ipfs://spec", hashOf("spec-2")], { account: accounts.builder.account });
    await trainingJobs.write.claimJob([2n], { account: accounts.trainer.account });
    await trainingJobs.write.completeJob([2n, "bafy", hashOf("a2"), "ipfs://m", hashOf("root2"), "ipfs://manifest2"], {
      account: accounts.trainer.account,
    });
    // A batch posted for model 2 whose receipts say model 1 (a lying node) does not verify.
    const claimed = receipts.map((r) => ({ ...r, receiptId: hashOf(`m2-${r.receiptId}`) }));
    const tree = buildReceiptTree(claimed);
    await attributionLedger.write.postBatch([2n, tree.root as Hex, "ipfs://r2", 5, packCitations(claimed)], {
      account: accounts.trainer.account,
    });
    const batchId = await attributionLedger.read.batchCount();
    const proof = receiptProof(tree, claimed[0]!.receiptId);
    assert.equal(verifyReceipt(tree.root as Hex, claimed[0]!, proof), true, "the proof itself is fine");
    assert.equal(await verifyOnChain(env, [batchId, claimed[0]!, proof]), false, "model 1 receipt in a model-2 batch");
    assert.equal(
      await verifyOnChain(env, [batchId, claimed[1]!, receiptProof(tree, claimed[1]!.receiptId)]),
      false,
      "also with training influences",
    );
    // Model 999 does not exist: a receipt claiming it never verifies either.
    assert.equal(await verifyOnChain(env, [batchId, { ...claimed[0]!, modelId: 999n }, proof]), false);
    // Batch 1's receipts do not verify under another batch id.
    const tree1 = buildReceiptTree(receipts);
    assert.equal(await verifyOnChain(env, [batchId, receipts[0]!, receiptProof(tree1, receipts[0]!.receiptId)]), false);
  });

  it("lets only the model's trainer and the serving nodes its builder authorized post", async () => {
    const { attributionLedger, trainingJobs, trainerRegistry, viem, accounts } = env;
    await admitTrainers(env, accounts.trainer2);
    const node = getAddress(accounts.trainer2.account.address);
    const builder = getAddress(accounts.builder.account.address);
    const one = [{ ...receipts[0]!, receiptId: hashOf("served") }];
    const post = (root: string) =>
      attributionLedger.write.postBatch([modelId, hashOf(root), "ipfs://s", 1, packCitations(one)], { account: accounts.trainer2.account });
    await viem.assertions.revertWithCustomErrorWithArgs(post("s1"), attributionLedger, "NotModelPoster", [modelId, node]);
    const asBuilder = { account: accounts.builder.account };
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.authorizeServingNode([modelId, node], { account: accounts.other.account }),
      attributionLedger,
      "NotModelBuilder",
      [modelId, getAddress(accounts.other.account.address)],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.authorizeServingNode([77n, node], asBuilder),
      attributionLedger,
      "UnknownModel",
      [77n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.authorizeServingNode([modelId, zeroAddress], asBuilder),
      attributionLedger,
      "ZeroServingNode",
      [],
    );
    await viem.assertions.emitWithArgs(
      attributionLedger.write.authorizeServingNode([modelId, node], asBuilder),
      attributionLedger,
      "ServingNodeAuthorized",
      [modelId, node, builder],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.authorizeServingNode([modelId, node], asBuilder),
      attributionLedger,
      "ServingNodeAlreadyAuthorized",
      [modelId, node],
    );
    assert.equal(await attributionLedger.read.isServingNode([modelId, node]), true);
    await post("s1");
    // An authorized node that is no longer an active trainer cannot post.
    await trainerRegistry.write.setActive([false], { account: accounts.trainer2.account });
    await viem.assertions.revertWithCustomErrorWithArgs(post("s2"), attributionLedger, "NotActiveTrainer", [node]);
    await trainerRegistry.write.setActive([true], { account: accounts.trainer2.account });
    await viem.assertions.emitWithArgs(
      attributionLedger.write.revokeServingNode([modelId, node], asBuilder),
      attributionLedger,
      "ServingNodeRevoked",
      [modelId, node, builder],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.revokeServingNode([modelId, node], asBuilder),
      attributionLedger,
      "ServingNodeNotAuthorized",
      [modelId, node],
    );
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
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.postBatch([modelId, root, "u", 1, "0x"], { account: accounts.other.account }),
      attributionLedger,
      "NotActiveTrainer",
      [getAddress(accounts.other.account.address)],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.postBatch([9n, root, "u", 1, "0x"], as),
      attributionLedger,
      "UnknownModel",
      [9n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.postBatch([modelId, root, "u", 0, "0x"], as),
      attributionLedger,
      "EmptyBatch",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.postBatch([modelId, zeroHash, "u", 1, "0x"], as),
      attributionLedger,
      "EmptyBatch",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.postBatch([modelId, root, "", 1, "0x"], as),
      attributionLedger,
      "EmptyBatch",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.postBatch([modelId, root, "u", 1, "0x0102"], as),
      attributionLedger,
      "InvalidCitations",
      [2n],
    );
    const tooLong = ("0x" + "00".repeat(8 * 8193)) as Hex;
    await viem.assertions.revertWithCustomErrorWithArgs(
      attributionLedger.write.postBatch([modelId, root, "u", 1, tooLong], as),
      attributionLedger,
      "InvalidCitations",
      [8n * 8193n],
    );
  });

  it("refuses packed groups that are malformed, miscounted, of unknown contributions or over 10,000 bp", async () => {
    const { attributionLedger, viem, accounts } = env;
    const as = { account: accounts.trainer.account };
    const root = hashOf("r2");
    const post = (count: number, packed: Hex) => attributionLedger.write.postBatch([modelId, root, "u", count, packed], as);
    type LedgerError =
      | "InvalidCitations"
      | "ReceiptCountMismatch"
      | "UnknownContribution"
      | "ReceiptWeightTooHigh"
      | "TrainingWeightTooHigh";
    const err = (name: LedgerError, args: unknown[], count: number, packed: Hex) =>
      viem.assertions.revertWithCustomErrorWithArgs(post(count, packed), attributionLedger, name, args as never);
    // A group that declares more citations than follow, and a trailing fragment.
    const two = packRaw([
      [
        "aa",
        [
          [1n, 10],
          [2n, 10],
        ],
      ],
    ]);
    await err("InvalidCitations", [16n], 1, two.slice(0, 2 + 32) as Hex);
    await err("InvalidCitations", [28n], 2, (two + "00000000") as Hex);
    await err("ReceiptCountMismatch", [2, 1n], 2, two);
    await err(
      "ReceiptCountMismatch",
      [1, 2n],
      1,
      packRaw([
        ["aa", []],
        ["bb", [[3n, 1]]],
      ]),
    );
    await err("ReceiptCountMismatch", [1, 0n], 1, "0x");
    await err(
      "UnknownContribution",
      [0n],
      1,
      packRaw([
        [
          "aa",
          [
            [1n, 10],
            [0n, 10],
          ],
        ],
      ]),
    );
    await err(
      "UnknownContribution",
      [15n],
      2,
      packRaw([
        ["aa", [[14n, 10]]],
        ["bb", [[15n, 10]]],
      ]),
    );
    await err("UnknownContribution", [281474976710655n], 1, packRaw([["aa", [[281474976710655n, 1]]]]));
    // Each receipt's total is bounded (and with it every weight): 10,000 passes, 10,001 does not.
    await err(
      "ReceiptWeightTooHigh",
      [1n, 10001n],
      2,
      packRaw([
        ["aa", [[1n, 10000]]],
        [
          "bb",
          [
            [1n, 5000],
            [2n, 5001],
          ],
        ],
      ]),
    );
    await err("ReceiptWeightTooHigh", [0n, 65535n], 1, packRaw([["aa", [[1n, 65535]]]]));
    // The training list has a 10,000 bp budget of its own, checked separately from retrieval.
    await err(
      "TrainingWeightTooHigh",
      [1n, 10001n],
      2,
      packRaw([
        ["aa", [[1n, 10000]], [[2n, 10000]]],
        [
          "bb",
          [[1n, 10000]],
          [
            [3n, 6000],
            [4n, 1],
            [5n, 4000],
          ],
        ],
      ]),
    );
    await err("TrainingWeightTooHigh", [0n, 65535n], 1, packRaw([["aa", [], [[1n, 65535]]]]));
    await err(
      "ReceiptWeightTooHigh",
      [0n, 10001n],
      1,
      packRaw([
        [
          "aa",
          [
            [1n, 5001],
            [2n, 5000],
          ],
          [[3n, 1]],
        ],
      ]),
    );
    // A group whose training citations run past the end, and an unknown id in the training list.
    await err(
      "InvalidCitations",
      [24n],
      1,
      packRaw([
        [
          "aa",
          [[1n, 1]],
          [
            [2n, 1],
            [3n, 1],
          ],
        ],
      ]).slice(0, 2 + 48) as Hex,
    );
    await err(
      "UnknownContribution",
      [15n],
      1,
      packRaw([
        [
          "aa",
          [
            [1n, 10],
            [2n, 10],
            [3n, 10],
            [4n, 10],
            [5n, 10],
          ],
          [
            [6n, 1],
            [15n, 1],
          ],
        ],
      ]),
    );
    await err("UnknownContribution", [0n], 1, packRaw([["aa", [], [[0n, 1]]]]));
    await post(
      2,
      packRaw([
        ["aa", [[1n, 10000]], [[1n, 10000]]],
        [
          "bb",
          [
            [1n, 5000],
            [2n, 5000],
          ],
          [
            [3n, 4000],
            [4n, 3000],
            [5n, 2000],
            [6n, 500],
            [7n, 500],
          ],
        ],
      ]),
    );
  });

  it("SDK codecs refuse what the chain would not index", () => {
    assert.throws(() => unpackCitations("0x0102"), /not a multiple of 8/);
    assert.throws(() => unpackReceiptGroups(packRaw([["aa", [[1n, 1]]]]).slice(0, 18) as Hex), /declares 1 citations/);
    assert.throws(() => packCitations([{ ...receipts[0]!, contributionIds: [1n << 48n], weights: [1] }]), /48 bits/);
    assert.throws(() => packCitations([{ ...receipts[0]!, contributionIds: [0n], weights: [1] }]), /48 bits/);
    assert.throws(
      () => packCitations([{ ...receipts[0]!, contributionIds: [1n, 2n], weights: [5000, 5001] }]),
      /retrieval weights summing to 10001 basis points/,
    );
    assert.throws(
      () => packCitations([{ ...receipts[0]!, trainingContributionIds: [1n, 2n], trainingWeights: [5000, 5001] }]),
      /training weights summing to 10001 basis points/,
    );
    assert.throws(() => packCitations([{ ...receipts[0]!, trainingContributionIds: [1n << 48n], trainingWeights: [1] }]), /48 bits/);
    const many = Array.from({ length: 0x100 }, () => 1n);
    assert.throws(
      () => packCitations([{ ...receipts[0]!, contributionIds: many, weights: many.map(() => 0) }]),
      /256 retrieval citations; at most 255/,
    );
    assert.throws(
      () => packCitations([{ ...receipts[0]!, trainingContributionIds: many, trainingWeights: many.map(() => 0) }]),
      /256 training citations; at most 255/,
    );
    assert.throws(() => receiptLeaf({ ...receipts[0]!, weights: [1] }), /3 retrieval contributions but 1 weights/);
    assert.throws(() => receiptLeaf({ ...receipts[1]!, trainingWeights: [] }), /1 training contributions but 0 weights/);
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
      trainingContributionIds: Array.from({ length: 1 + (i % 3) }, (_, j) => BigInt(2 * j + i + 1)),
      trainingWeights: Array.from({ length: 1 + (i % 3) }, (_, j) => 3000 - j * 1000),
      detailsHash: hashOf(`d${i}`),
    }));
    // With training influences (the receipt/3 leaf) and without (the older leaf).
    const retrievalOnly = rs.map((r) => ({ ...r, trainingContributionIds: [], trainingWeights: [] }));
    for (const batch of [rs, retrievalOnly]) {
      const ours = buildReceiptTree(batch);
      const reference = buildReceiptTreeReference(batch);
      assert.equal(ours.root, reference.root);
      batch.forEach((r, i) => {
        assert.deepEqual(ours.getProof(i), reference.getProof(i));
        const values: ReceiptLeafValues = r.trainingContributionIds.length
          ? [
              r.receiptId,
              r.modelId,
              r.answerHash,
              r.contributionIds,
              r.weights,
              r.trainingContributionIds,
              r.trainingWeights,
              r.detailsHash,
            ]
          : [r.receiptId, r.modelId, r.answerHash, r.contributionIds, r.weights, r.detailsHash];
        assert.equal(receiptLeaf(r), reference.leafHash(values));
      });
    }
    assert.throws(() => buildReceiptTreeReference([rs[0]!, retrievalOnly[1]!]), /all have training influences, or none/);
  });

  it("agrees with the ledger's receiptLeaf for receipts with both lists, either list, or none", async () => {
    const env = await connect();
    const cases: Receipt[] = [
      {
        receiptId: hashOf("both"),
        modelId: 3n,
        answerHash: hashAnswer("both"),
        contributionIds: [5n, 9n],
        weights: [6000, 4000],
        trainingContributionIds: [9n, 2n, 281474976710655n],
        trainingWeights: [5000, 3000, 2000],
        detailsHash: hashOf("d-both"),
      },
      {
        receiptId: hashOf("training"),
        modelId: 3n,
        answerHash: hashAnswer("training"),
        contributionIds: [],
        weights: [],
        trainingContributionIds: [4n],
        trainingWeights: [10_000],
        detailsHash: hashOf("d-training"),
      },
      {
        receiptId: hashOf("retrieval"),
        modelId: 3n,
        answerHash: hashAnswer("retrieval"),
        contributionIds: [4n],
        weights: [10_000],
        trainingContributionIds: [],
        trainingWeights: [],
        detailsHash: hashOf("d-retrieval"),
      },
      {
        receiptId: hashOf("none"),
        modelId: 3n,
        answerHash: hashAnswer("none"),
        contributionIds: [],
        weights: [],
        trainingContributionIds: [],
        trainingWeights: [],
        detailsHash: hashOf("d-none"),
      },
    ];
    for (const r of cases) assert.equal(await env.attributionLedger.read.receiptLeaf([r]), receiptLeaf(r), r.receiptId);
  });
});
