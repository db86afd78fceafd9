import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { getAddress, zeroAddress, zeroHash, type Hex } from "viem";
import { buildManifestTree, manifestContributionProof, manifestRoot, verifyManifestEntry, ManifestEntryKind, type TrainingManifest } from "@modelfactory/sdk";
import { admitTrainers, connect, createDatanet, hashOf, now, AccessPolicy, ContributionPolicy, JobState, Scope, type Env } from "../helpers/fixture.ts";

describe("TrainingJobs", () => {
  let env: Env;
  let open: bigint;
  let gated: bigint;
  const spec = hashOf("spec");

  before(async () => {
    env = await connect();
    open = await createDatanet(env, AccessPolicy.Open, ContributionPolicy.Open);
    gated = await createDatanet(env, AccessPolicy.Permissioned, ContributionPolicy.Curated);
    await admitTrainers(env, env.accounts.trainer, env.accounts.trainer2);
  });

  async function newJob(datanets = [open]): Promise<bigint> {
    await env.trainingJobs.write.createJob([datanets, "ipfs://spec", spec], { account: env.accounts.builder.account });
    return (await env.trainingJobs.read.counts())[0];
  }

  it("creates a job when the builder holds train access, recording the snapshot block", async () => {
    const { trainingJobs, viem, accounts, publicClient, datanetRegistry } = env;
    const b = getAddress(accounts.builder.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.createJob([[open, gated], "ipfs://spec", spec], { account: accounts.builder.account }),
      trainingJobs,
      "NoTrainAccess",
      [gated, b],
    );
    // Retrieve access alone is not train access.
    await datanetRegistry.write.grantAccess([gated, b, Scope.Retrieve, (await now(env)) + 10_000n], { account: accounts.approver.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.createJob([[gated], "ipfs://spec", spec], { account: accounts.builder.account }),
      trainingJobs,
      "NoTrainAccess",
      [gated, b],
    );
    await datanetRegistry.write.grantAccess([gated, b, Scope.Train, (await now(env)) + 10_000n], { account: accounts.approver.account });
    const hash = await trainingJobs.write.createJob([[open, gated], "ipfs://spec", spec], { account: accounts.builder.account });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const [event] = await publicClient.getContractEvents({ address: trainingJobs.address, abi: trainingJobs.abi, eventName: "JobCreated", blockHash: receipt.blockHash });
    assert.deepEqual(event!.args, { jobId: 1n, builder: b, datanetIds: [open, gated], specURI: "ipfs://spec", specHash: spec, snapshotBlock: receipt.blockNumber });
    assert.deepEqual(await trainingJobs.read.getJob([1n]), [b, JobState.Open, receipt.blockNumber, zeroAddress, 0n, spec]);
  });

  it("refuses malformed job requests", async () => {
    const { trainingJobs, viem, accounts } = env;
    const as = { account: accounts.builder.account };
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.createJob([[], "ipfs://s", spec], as), trainingJobs, "InvalidDatanetCount", [0n, 16n]);
    const many = Array.from({ length: 17 }, (_, i) => BigInt(i + 1));
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.createJob([many, "ipfs://s", spec], as), trainingJobs, "InvalidDatanetCount", [17n, 16n]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.createJob([[open], "", spec], as), trainingJobs, "EmptySpec", []);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.createJob([[open], "ipfs://s", zeroHash], as), trainingJobs, "EmptySpec", []);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.createJob([[gated, open], "ipfs://s", spec], as), trainingJobs, "DatanetsNotSorted", [open]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.createJob([[open, open], "ipfs://s", spec], as), trainingJobs, "DatanetsNotSorted", [open]);
    await assert.rejects(trainingJobs.write.createJob([[99n], "ipfs://s", spec], as), /DatanetNotFound/);
  });

  it("lets the builder cancel an unclaimed job, and nobody else", async () => {
    const { trainingJobs, viem, accounts } = env;
    const id = await newJob();
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.cancelJob([id], { account: accounts.other.account }), trainingJobs, "NotJobBuilder", [id, getAddress(accounts.other.account.address)]);
    await viem.assertions.emitWithArgs(trainingJobs.write.cancelJob([id], { account: accounts.builder.account }), trainingJobs, "JobCancelled", [id]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.cancelJob([id], { account: accounts.builder.account }), trainingJobs, "InvalidJobState", [id, JobState.Cancelled]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.claimJob([id], { account: accounts.trainer.account }), trainingJobs, "InvalidJobState", [id, JobState.Cancelled]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.read.getJob([999n]), trainingJobs, "JobNotFound", [999n]);
  });

  it("lets exactly one active trainer claim a job", async () => {
    const { trainingJobs, viem, accounts, trainerRegistry } = env;
    const id = await newJob();
    const t = getAddress(accounts.trainer.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.claimJob([id], { account: accounts.other.account }), trainingJobs, "NotActiveTrainer", [getAddress(accounts.other.account.address)]);
    await trainerRegistry.write.setActive([false], { account: accounts.trainer2.account });
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.claimJob([id], { account: accounts.trainer2.account }), trainingJobs, "NotActiveTrainer", [getAddress(accounts.trainer2.account.address)]);
    await trainerRegistry.write.setActive([true], { account: accounts.trainer2.account });
    const lease = await trainingJobs.read.leaseDuration();
    await viem.assertions.emitWithArgs(trainingJobs.write.claimJob([id], { account: accounts.trainer.account }), trainingJobs, "JobClaimed", [id, t, (await now(env)) + 1n + lease]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.claimJob([id], { account: accounts.trainer2.account }), trainingJobs, "InvalidJobState", [id, JobState.Claimed]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.cancelJob([id], { account: accounts.builder.account }), trainingJobs, "InvalidJobState", [id, JobState.Claimed]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.claimJob([12345n], { account: accounts.trainer.account }), trainingJobs, "JobNotFound", [12345n]);
  });

  it("renews, releases and releases stale claims", async () => {
    const { trainingJobs, viem, accounts, networkHelpers } = env;
    const id = await newJob();
    const t = getAddress(accounts.trainer.account.address);
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    const lease = await trainingJobs.read.leaseDuration();
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.renewLease([id], { account: accounts.trainer2.account }), trainingJobs, "NotJobTrainer", [id, getAddress(accounts.trainer2.account.address), t]);
    await viem.assertions.emitWithArgs(trainingJobs.write.renewLease([id], { account: accounts.trainer.account }), trainingJobs, "JobLeaseRenewed", [id, (await now(env)) + 1n + lease]);
    const [, , , , leaseEnd] = await trainingJobs.read.getJob([id]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.releaseStaleClaim([id], { account: accounts.other.account }), trainingJobs, "LeaseNotExpired", [id, leaseEnd]);
    await networkHelpers.time.increaseTo(leaseEnd + 1n);
    await viem.assertions.emitWithArgs(trainingJobs.write.releaseStaleClaim([id], { account: accounts.other.account }), trainingJobs, "JobReleased", [id, t, true]);
    assert.equal((await trainingJobs.read.getJob([id]))[1], JobState.Open);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.releaseStaleClaim([id]), trainingJobs, "InvalidJobState", [id, JobState.Open]);
    // Another node takes it and gives it back voluntarily.
    const t2 = getAddress(accounts.trainer2.account.address);
    await trainingJobs.write.claimJob([id], { account: accounts.trainer2.account });
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.releaseJob([id], { account: accounts.trainer.account }), trainingJobs, "NotJobTrainer", [id, t, t2]);
    await viem.assertions.emitWithArgs(trainingJobs.write.releaseJob([id], { account: accounts.trainer2.account }), trainingJobs, "JobReleased", [id, t2, false]);
    assert.deepEqual((await trainingJobs.read.getJob([id])).slice(1, 5), [JobState.Open, (await trainingJobs.read.getJob([id]))[2], zeroAddress, 0n]);
  });

  it("completes a job, registering a model whose manifest root matches the SDK's and proves membership", async () => {
    const { trainingJobs, viem, accounts } = env;
    const id = await newJob();
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    const manifest: TrainingManifest = {
      jobId: id,
      specHash: spec,
      contributions: [1n, 2n, 5n, 9n].map((c) => ({ contributionId: c, contentHash: hashOf(`c${c}`) })),
    };
    const root = manifestRoot(manifest);
    const adapterHash = hashOf("adapter");
    const t = getAddress(accounts.trainer.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.completeJob([id, "bafyadapter", adapterHash, "ipfs://metrics", root, "ipfs://manifest"], { account: accounts.trainer2.account }), trainingJobs, "NotJobTrainer", [id, getAddress(accounts.trainer2.account.address), t]);
    for (const args of [["", adapterHash, root, "ipfs://manifest"], ["bafy", zeroHash, root, "ipfs://manifest"], ["bafy", adapterHash, zeroHash, "ipfs://manifest"], ["bafy", adapterHash, root, ""]] as const) {
      await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.completeJob([id, args[0], args[1], "ipfs://m", args[2], args[3]], { account: accounts.trainer.account }), trainingJobs, "EmptyResult", []);
    }
    await viem.assertions.emitWithArgs(
      trainingJobs.write.completeJob([id, "bafyadapter", adapterHash, "ipfs://metrics", root, "ipfs://manifest"], { account: accounts.trainer.account }),
      trainingJobs,
      "ModelRegistered",
      [1n, id, getAddress(accounts.builder.account.address), t, "bafyadapter", adapterHash, "ipfs://metrics", root, "ipfs://manifest"],
    );
    assert.equal((await trainingJobs.read.getJob([id]))[1], JobState.Completed);
    assert.deepEqual(await trainingJobs.read.getModel([1n]), [id, root, adapterHash]);
    assert.equal(await trainingJobs.read.modelExists([1n]), true);
    assert.equal(await trainingJobs.read.modelExists([2n]), false);
    // Each contribution's SDK proof verifies on chain; a foreign one or a wrong hash does not.
    for (const c of manifest.contributions) {
      const proof = manifestContributionProof(manifest, c.contributionId);
      assert.equal(await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.Contribution, c.contributionId, c.contentHash, proof]), true);
      assert.equal(verifyManifestEntry(root, ManifestEntryKind.Contribution, c.contributionId, c.contentHash, proof), true);
      assert.equal(await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.Contribution, c.contributionId, hashOf("forged"), proof]), false);
    }
    const tree = buildManifestTree(manifest);
    const specProof = tree.getProof([ManifestEntryKind.Spec, id, spec]) as Hex[];
    assert.equal(await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.Spec, id, spec, specProof]), true);
    assert.equal(await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.Contribution, id, spec, specProof]), false, "kind is bound");
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.read.verifyManifestEntry([7n, 1, 1n, spec, []]), trainingJobs, "ModelNotFound", [7n]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.read.getModel([7n]), trainingJobs, "ModelNotFound", [7n]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.failJob([id, "late"], { account: accounts.trainer.account }), trainingJobs, "InvalidJobState", [id, JobState.Completed]);
  });

  it("fails a job with a reason, by its trainer only", async () => {
    const { trainingJobs, viem, accounts } = env;
    const id = await newJob();
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.failJob([id, "x"], { account: accounts.trainer.account }), trainingJobs, "InvalidJobState", [id, JobState.Open]);
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    const t = getAddress(accounts.trainer.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.failJob([id, "x"], { account: accounts.builder.account }), trainingJobs, "NotJobTrainer", [id, getAddress(accounts.builder.account.address), t]);
    await viem.assertions.emitWithArgs(trainingJobs.write.failJob([id, "hash mismatch in contribution 4"], { account: accounts.trainer.account }), trainingJobs, "JobFailed", [id, t, "hash mismatch in contribution 4"]);
    assert.equal((await trainingJobs.read.getJob([id]))[1], JobState.Failed);
  });

  it("lets the admin tune the lease within bounds", async () => {
    const { trainingJobs, viem, accounts } = env;
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.setLeaseDuration([3600n], { account: accounts.other.account }), trainingJobs, "AccessControlUnauthorizedAccount", [getAddress(accounts.other.account.address), zeroHash]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.setLeaseDuration([60n], { account: accounts.admin.account }), trainingJobs, "InvalidLeaseDuration", [60n]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.setLeaseDuration([31n * 86400n], { account: accounts.admin.account }), trainingJobs, "InvalidLeaseDuration", [31n * 86400n]);
    await viem.assertions.emitWithArgs(trainingJobs.write.setLeaseDuration([3600n], { account: accounts.admin.account }), trainingJobs, "LeaseDurationUpdated", [3600n]);
    assert.equal(await trainingJobs.read.leaseDuration(), 3600n);
  });
});
