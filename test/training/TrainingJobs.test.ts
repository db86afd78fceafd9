import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { getAddress, zeroAddress, zeroHash, type Hex } from "viem";
import {
  buildManifestTree,
  manifestContributionProof,
  manifestInfluenceIndexProof,
  manifestRoot,
  verifyManifestEntry,
  ManifestEntryKind,
  type TrainingManifest,
} from "@modelfactory/sdk";
import {
  admitTrainers,
  connect,
  contribute,
  createDatanet,
  hashOf,
  now,
  AccessPolicy,
  ContributionPolicy,
  JobState,
  Scope,
  type Env,
} from "../helpers/fixture.ts";

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
    const [event] = await publicClient.getContractEvents({
      address: trainingJobs.address,
      abi: trainingJobs.abi,
      eventName: "JobCreated",
      blockHash: receipt.blockHash,
    });
    assert.deepEqual(event!.args, {
      jobId: 1n,
      builder: b,
      datanetIds: [open, gated],
      specURI: "ipfs://spec",
      specHash: spec,
      snapshotBlock: receipt.blockNumber,
    });
    assert.deepEqual(await trainingJobs.read.getJob([1n]), [b, JobState.Open, receipt.blockNumber, zeroAddress, 0n, spec]);
  });

  it("refuses malformed job requests", async () => {
    const { trainingJobs, viem, accounts } = env;
    const as = { account: accounts.builder.account };
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.createJob([[], "ipfs://s", spec], as),
      trainingJobs,
      "InvalidDatanetCount",
      [0n, 16n],
    );
    const many = Array.from({ length: 17 }, (_, i) => BigInt(i + 1));
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.createJob([many, "ipfs://s", spec], as),
      trainingJobs,
      "InvalidDatanetCount",
      [17n, 16n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.createJob([[open], "", spec], as),
      trainingJobs,
      "EmptySpec",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.createJob([[open], "ipfs://s", zeroHash], as),
      trainingJobs,
      "EmptySpec",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.createJob([[gated, open], "ipfs://s", spec], as),
      trainingJobs,
      "DatanetsNotSorted",
      [open],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.createJob([[open, open], "ipfs://s", spec], as),
      trainingJobs,
      "DatanetsNotSorted",
      [open],
    );
    await assert.rejects(trainingJobs.write.createJob([[99n], "ipfs://s", spec], as), /DatanetNotFound/);
  });

  it("lets the builder cancel an unclaimed job, and nobody else", async () => {
    const { trainingJobs, viem, accounts } = env;
    const id = await newJob();
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.cancelJob([id], { account: accounts.other.account }),
      trainingJobs,
      "NotJobBuilder",
      [id, getAddress(accounts.other.account.address)],
    );
    await viem.assertions.emitWithArgs(
      trainingJobs.write.cancelJob([id], { account: accounts.builder.account }),
      trainingJobs,
      "JobCancelled",
      [id],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.cancelJob([id], { account: accounts.builder.account }),
      trainingJobs,
      "InvalidJobState",
      [id, JobState.Cancelled],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.claimJob([id], { account: accounts.trainer.account }),
      trainingJobs,
      "InvalidJobState",
      [id, JobState.Cancelled],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.read.getJob([999n]), trainingJobs, "JobNotFound", [999n]);
  });

  it("lets exactly one active trainer claim a job", async () => {
    const { trainingJobs, viem, accounts, trainerRegistry } = env;
    const id = await newJob();
    const t = getAddress(accounts.trainer.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.claimJob([id], { account: accounts.other.account }),
      trainingJobs,
      "NotActiveTrainer",
      [getAddress(accounts.other.account.address)],
    );
    await trainerRegistry.write.setActive([false], { account: accounts.trainer2.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.claimJob([id], { account: accounts.trainer2.account }),
      trainingJobs,
      "NotActiveTrainer",
      [getAddress(accounts.trainer2.account.address)],
    );
    await trainerRegistry.write.setActive([true], { account: accounts.trainer2.account });
    const lease = await trainingJobs.read.leaseDuration();
    await viem.assertions.emitWithArgs(
      trainingJobs.write.claimJob([id], { account: accounts.trainer.account }),
      trainingJobs,
      "JobClaimed",
      [id, t, (await now(env)) + 1n + lease],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.claimJob([id], { account: accounts.trainer2.account }),
      trainingJobs,
      "InvalidJobState",
      [id, JobState.Claimed],
    );
    const [firstLeaseEndsAt] = await trainingJobs.read.claimTimes([id]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.cancelJob([id], { account: accounts.builder.account }),
      trainingJobs,
      "ClaimWithinFirstLease",
      [id, firstLeaseEndsAt],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.claimJob([12345n], { account: accounts.trainer.account }),
      trainingJobs,
      "JobNotFound",
      [12345n],
    );
  });

  it("renews, releases and releases stale claims", async () => {
    const { trainingJobs, viem, accounts, networkHelpers } = env;
    const id = await newJob();
    const t = getAddress(accounts.trainer.account.address);
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    const lease = await trainingJobs.read.leaseDuration();
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.renewLease([id], { account: accounts.trainer2.account }),
      trainingJobs,
      "NotJobTrainer",
      [id, getAddress(accounts.trainer2.account.address), t],
    );
    await viem.assertions.emitWithArgs(
      trainingJobs.write.renewLease([id], { account: accounts.trainer.account }),
      trainingJobs,
      "JobLeaseRenewed",
      [id, (await now(env)) + 1n + lease],
    );
    const [, , , , leaseEnd] = await trainingJobs.read.getJob([id]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.releaseStaleClaim([id], { account: accounts.other.account }),
      trainingJobs,
      "LeaseNotExpired",
      [id, leaseEnd],
    );
    await networkHelpers.time.increaseTo(leaseEnd + 1n);
    await viem.assertions.emitWithArgs(
      trainingJobs.write.releaseStaleClaim([id], { account: accounts.other.account }),
      trainingJobs,
      "JobReleased",
      [id, t, true],
    );
    assert.equal((await trainingJobs.read.getJob([id]))[1], JobState.Open);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.releaseStaleClaim([id]), trainingJobs, "InvalidJobState", [
      id,
      JobState.Open,
    ]);
    // Another node takes it and gives it back voluntarily.
    const t2 = getAddress(accounts.trainer2.account.address);
    await trainingJobs.write.claimJob([id], { account: accounts.trainer2.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.releaseJob([id], { account: accounts.trainer.account }),
      trainingJobs,
      "NotJobTrainer",
      [id, t, t2],
    );
    await viem.assertions.emitWithArgs(
      trainingJobs.write.releaseJob([id], { account: accounts.trainer2.account }),
      trainingJobs,
      "JobReleased",
      [id, t2, false],
    );
    assert.deepEqual((await trainingJobs.read.getJob([id])).slice(1, 5), [
      JobState.Open,
      (await trainingJobs.read.getJob([id]))[2],
      zeroAddress,
      0n,
    ]);
  });

  it("completes a job, registering a model whose manifest root matches the SDK's and proves membership", async () => {
    const { trainingJobs, viem, accounts } = env;
    const id = await newJob();
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    const manifest: TrainingManifest = {
      jobId: id,
      specHash: spec,
      contributions: [1n, 2n, 5n, 9n].map((c) => ({ contributionId: c, contentHash: hashOf(`c${c}`) })),
      influenceIndexHash: hashOf("influence index"),
    };
    const root = manifestRoot(manifest);
    const adapterHash = hashOf("adapter");
    const t = getAddress(accounts.trainer.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.completeJob([id, "bafyadapter", adapterHash, "ipfs://metrics", root, "ipfs://manifest"], {
        account: accounts.trainer2.account,
      }),
      trainingJobs,
      "NotJobTrainer",
      [id, getAddress(accounts.trainer2.account.address), t],
    );
    for (const args of [
      ["", adapterHash, root, "ipfs://manifest"],
      ["bafy", zeroHash, root, "ipfs://manifest"],
      ["bafy", adapterHash, zeroHash, "ipfs://manifest"],
      ["bafy", adapterHash, root, ""],
    ] as const) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        trainingJobs.write.completeJob([id, args[0], args[1], "ipfs://m", args[2], args[3]], { account: accounts.trainer.account }),
        trainingJobs,
        "EmptyResult",
        [],
      );
    }
    await viem.assertions.emitWithArgs(
      trainingJobs.write.completeJob([id, "bafyadapter", adapterHash, "ipfs://metrics", root, "ipfs://manifest"], {
        account: accounts.trainer.account,
      }),
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
      assert.equal(
        await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.Contribution, c.contributionId, c.contentHash, proof]),
        true,
      );
      assert.equal(verifyManifestEntry(root, ManifestEntryKind.Contribution, c.contributionId, c.contentHash, proof), true);
      assert.equal(
        await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.Contribution, c.contributionId, hashOf("forged"), proof]),
        false,
      );
    }
    const tree = buildManifestTree(manifest);
    const specProof = tree.getProof([ManifestEntryKind.Spec, id, spec]) as Hex[];
    assert.equal(await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.Spec, id, spec, specProof]), true);
    assert.equal(
      await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.Contribution, id, spec, specProof]),
      false,
      "kind is bound",
    );
    // The influence index's leaf (kind 2, the job id, the file's sha256) proves the same way, and only as kind 2.
    const indexProof = manifestInfluenceIndexProof(manifest);
    assert.equal(
      await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.InfluenceIndex, id, manifest.influenceIndexHash!, indexProof]),
      true,
    );
    assert.equal(verifyManifestEntry(root, ManifestEntryKind.InfluenceIndex, id, manifest.influenceIndexHash!, indexProof), true);
    assert.equal(
      await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.Spec, id, manifest.influenceIndexHash!, indexProof]),
      false,
      "the index leaf is not a spec leaf",
    );
    assert.equal(
      await trainingJobs.read.verifyManifestEntry([1n, ManifestEntryKind.InfluenceIndex, id, hashOf("other index"), indexProof]),
      false,
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.read.verifyManifestEntry([7n, 1, 1n, spec, []]),
      trainingJobs,
      "ModelNotFound",
      [7n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.read.getModel([7n]), trainingJobs, "ModelNotFound", [7n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.failJob([id, "late"], { account: accounts.trainer.account }),
      trainingJobs,
      "InvalidJobState",
      [id, JobState.Completed],
    );
  });

  it("fails a job with a reason, by its trainer only", async () => {
    const { trainingJobs, viem, accounts } = env;
    const id = await newJob();
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.failJob([id, "x"], { account: accounts.trainer.account }),
      trainingJobs,
      "InvalidJobState",
      [id, JobState.Open],
    );
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    const t = getAddress(accounts.trainer.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.failJob([id, "x"], { account: accounts.builder.account }),
      trainingJobs,
      "NotJobTrainer",
      [id, getAddress(accounts.builder.account.address), t],
    );
    await viem.assertions.emitWithArgs(
      trainingJobs.write.failJob([id, "hash mismatch in contribution 4"], { account: accounts.trainer.account }),
      trainingJobs,
      "JobFailed",
      [id, t, "hash mismatch in contribution 4"],
    );
    assert.equal((await trainingJobs.read.getJob([id]))[1], JobState.Failed);
  });

  it("lets the admin tune the lease within bounds", async () => {
    const { trainingJobs, viem, accounts } = env;
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.setLeaseDuration([3600n], { account: accounts.other.account }),
      trainingJobs,
      "AccessControlUnauthorizedAccount",
      [getAddress(accounts.other.account.address), zeroHash],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.setLeaseDuration([60n], { account: accounts.admin.account }),
      trainingJobs,
      "InvalidLeaseDuration",
      [60n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.setLeaseDuration([31n * 86400n], { account: accounts.admin.account }),
      trainingJobs,
      "InvalidLeaseDuration",
      [31n * 86400n],
    );
    await viem.assertions.emitWithArgs(
      trainingJobs.write.setLeaseDuration([3600n], { account: accounts.admin.account }),
      trainingJobs,
      "LeaseDurationUpdated",
      [3600n],
    );
    assert.equal(await trainingJobs.read.leaseDuration(), 3600n);
  });

  it("leaves a removed trainer nothing to do with its claims, and lets anyone release them at once", async () => {
    const { trainingJobs, trainerRegistry, viem, accounts } = env;
    await admitTrainers(env, accounts.other);
    const o = getAddress(accounts.other.account.address);
    const id = await newJob();
    await trainingJobs.write.claimJob([id], { account: accounts.other.account });
    await trainerRegistry.write.removeTrainer([o], { account: accounts.admin.account });
    const as = { account: accounts.other.account };
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.renewLease([id], as), trainingJobs, "TrainerNotAdmitted", [o]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.completeJob([id, "bafy", hashOf("a"), "ipfs://m", hashOf("r"), "ipfs://manifest"], as),
      trainingJobs,
      "TrainerNotAdmitted",
      [o],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.failJob([id, "x"], as), trainingJobs, "TrainerNotAdmitted", [o]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.releaseJob([id], as), trainingJobs, "TrainerNotAdmitted", [o]);
    // Within its lease, anyone (the admin, another node) releases it.
    await viem.assertions.emitWithArgs(
      trainingJobs.write.releaseStaleClaim([id], { account: accounts.builder.account }),
      trainingJobs,
      "JobReleased",
      [id, o, true],
    );
    assert.equal((await trainingJobs.read.getJob([id]))[1], JobState.Open);
  });

  it("lets a paused trainer finish what it holds, but not claim", async () => {
    const { trainingJobs, trainerRegistry, viem, accounts } = env;
    const id = await newJob();
    const other = await newJob();
    await trainingJobs.write.claimJob([id], { account: accounts.trainer2.account });
    await trainerRegistry.write.setActive([false], { account: accounts.trainer2.account });
    const as = { account: accounts.trainer2.account };
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.claimJob([other], as), trainingJobs, "NotActiveTrainer", [
      getAddress(accounts.trainer2.account.address),
    ]);
    await trainingJobs.write.renewLease([id], as);
    await trainingJobs.write.completeJob([id, "bafy", hashOf("paused"), "ipfs://m", hashOf("r"), "ipfs://manifest"], as);
    assert.equal((await trainingJobs.read.getJob([id]))[1], JobState.Completed);
    await trainerRegistry.write.setActive([true], as);
  });

  it("bounds a claim's total life: renewals stop at its end, after which anyone may release it", async () => {
    const { trainingJobs, viem, accounts, networkHelpers } = env;
    const id = await newJob();
    const life = await trainingJobs.read.maxClaimLife();
    const lease = await trainingJobs.read.leaseDuration();
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    const [firstLeaseEndsAt, claimEndsAt] = await trainingJobs.read.claimTimes([id]);
    assert.equal(claimEndsAt - firstLeaseEndsAt, life - lease);
    const as = { account: accounts.trainer.account };
    // Renewing just before the end reaches the end, not a full lease past it.
    await networkHelpers.time.increaseTo(claimEndsAt - 10n);
    await viem.assertions.emitWithArgs(trainingJobs.write.renewLease([id], as), trainingJobs, "JobLeaseRenewed", [id, claimEndsAt]);
    await networkHelpers.time.increaseTo(claimEndsAt);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.write.renewLease([id], as), trainingJobs, "ClaimLifeOver", [
      id,
      claimEndsAt,
    ]);
    await viem.assertions.emitWithArgs(
      trainingJobs.write.releaseStaleClaim([id], { account: accounts.other.account }),
      trainingJobs,
      "JobReleased",
      [id, getAddress(accounts.trainer.account.address), true],
    );
    assert.deepEqual(await trainingJobs.read.claimTimes([id]), [0n, 0n]);
    // The admin tunes the life within bounds.
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.setMaxClaimLife([3600n], { account: accounts.other.account }),
      trainingJobs,
      "AccessControlUnauthorizedAccount",
      [getAddress(accounts.other.account.address), zeroHash],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.setMaxClaimLife([60n], { account: accounts.admin.account }),
      trainingJobs,
      "InvalidClaimLife",
      [60n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.setMaxClaimLife([181n * 86400n], { account: accounts.admin.account }),
      trainingJobs,
      "InvalidClaimLife",
      [181n * 86400n],
    );
    await viem.assertions.emitWithArgs(
      trainingJobs.write.setMaxClaimLife([3600n], { account: accounts.admin.account }),
      trainingJobs,
      "MaxClaimLifeUpdated",
      [3600n],
    );
    // A claim life shorter than the lease caps the first lease too.
    await trainingJobs.write.setLeaseDuration([2n * 3600n], { account: accounts.admin.account });
    await trainingJobs.write.claimJob([id], as);
    const [first, end] = await trainingJobs.read.claimTimes([id]);
    assert.equal(first, end);
    assert.equal((await trainingJobs.read.getJob([id]))[4], end);
    await trainingJobs.write.setMaxClaimLife([7n * 86400n], { account: accounts.admin.account });
    await trainingJobs.write.setLeaseDuration([lease], { account: accounts.admin.account });
  });

  it("lets the builder cancel a job whose claim outlived its first lease", async () => {
    const { trainingJobs, viem, accounts, networkHelpers } = env;
    const id = await newJob();
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    const [firstLeaseEndsAt] = await trainingJobs.read.claimTimes([id]);
    await networkHelpers.time.increaseTo(firstLeaseEndsAt - 5n);
    await trainingJobs.write.renewLease([id], { account: accounts.trainer.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.cancelJob([id], { account: accounts.builder.account }),
      trainingJobs,
      "ClaimWithinFirstLease",
      [id, firstLeaseEndsAt],
    );
    await networkHelpers.time.increaseTo(firstLeaseEndsAt + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.cancelJob([id], { account: accounts.other.account }),
      trainingJobs,
      "NotJobBuilder",
      [id, getAddress(accounts.other.account.address)],
    );
    await viem.assertions.emitWithArgs(
      trainingJobs.write.cancelJob([id], { account: accounts.builder.account }),
      trainingJobs,
      "JobCancelled",
      [id],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.completeJob([id, "bafy", hashOf("a"), "ipfs://m", hashOf("r"), "ipfs://manifest"], {
        account: accounts.trainer.account,
      }),
      trainingJobs,
      "InvalidJobState",
      [id, JobState.Cancelled],
    );
  });

  it("re-checks the builder's train access to every Datanet of the job at completion", async () => {
    const { trainingJobs, datanetRegistry, viem, accounts } = env;
    const b = getAddress(accounts.builder.account.address);
    const extra: bigint[] = [];
    for (let i = 0; i < 4; i++) extra.push(await createDatanet(env, AccessPolicy.Open, ContributionPolicy.Open));
    const ids = [open, gated, ...extra];
    await datanetRegistry.write.grantAccess([gated, b, Scope.Train, (await now(env)) + 100_000n], { account: accounts.approver.account });
    const id = await newJob(ids);
    assert.deepEqual(await trainingJobs.read.jobDatanets([id]), ids);
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    await datanetRegistry.write.revokeAccess([gated, b], { account: accounts.approver.account });
    const complete = () =>
      trainingJobs.write.completeJob([id, "bafy", hashOf("a"), "ipfs://m", hashOf("r"), "ipfs://manifest"], {
        account: accounts.trainer.account,
      });
    await viem.assertions.revertWithCustomErrorWithArgs(complete(), trainingJobs, "NoTrainAccess", [gated, b]);
    await datanetRegistry.write.grantAccess([gated, b, Scope.Train, (await now(env)) + 100_000n], { account: accounts.approver.account });
    await complete();
    assert.equal((await trainingJobs.read.getJob([id]))[1], JobState.Completed);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.read.jobDatanets([999n]), trainingJobs, "JobNotFound", [999n]);
    await viem.assertions.revertWithCustomErrorWithArgs(trainingJobs.read.claimTimes([999n]), trainingJobs, "JobNotFound", [999n]);
  });

  it("lets anyone flag a model whose manifest lists another Datanet's contribution or an unknown id", async () => {
    const { trainingJobs, viem, accounts } = env;
    const mine = await contribute(env, open, "mine");
    const foreign = await contribute(env, gated, "foreign");
    const id = await newJob();
    await trainingJobs.write.claimJob([id], { account: accounts.trainer.account });
    const manifest: TrainingManifest = {
      jobId: id,
      specHash: spec,
      contributions: [mine, foreign, 999_999n].map((c) => ({ contributionId: c, contentHash: hashOf(`m${c}`) })),
    };
    await trainingJobs.write.completeJob([id, "bafy", hashOf("flag"), "ipfs://m", manifestRoot(manifest), "ipfs://manifest"], {
      account: accounts.trainer.account,
    });
    const modelId = (await trainingJobs.read.counts())[1];
    const proofOf = (c: bigint) => manifestContributionProof(manifest, c);
    const challenge = (c: bigint, hash = hashOf(`m${c}`), proof = proofOf(c)) =>
      trainingJobs.write.challengeManifestEntry([modelId, c, hash, proof], { account: accounts.other.account });
    await viem.assertions.revertWithCustomErrorWithArgs(challenge(mine), trainingJobs, "ManifestEntryValid", [modelId, mine]);
    await viem.assertions.revertWithCustomErrorWithArgs(challenge(foreign, hashOf("forged")), trainingJobs, "NotInManifest", [
      modelId,
      foreign,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainingJobs.write.challengeManifestEntry([888n, mine, hashOf("x"), []]),
      trainingJobs,
      "ModelNotFound",
      [888n],
    );
    assert.equal(await trainingJobs.read.manifestChallenged([modelId]), false);
    const challenger = getAddress(accounts.other.account.address);
    await viem.assertions.emitWithArgs(challenge(foreign), trainingJobs, "ManifestChallenged", [modelId, foreign, gated, challenger]);
    assert.equal(await trainingJobs.read.manifestChallenged([modelId]), true);
    await viem.assertions.emitWithArgs(challenge(999_999n), trainingJobs, "ManifestChallenged", [modelId, 999_999n, 0n, challenger]);
  });
});
