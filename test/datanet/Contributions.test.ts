import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { getAddress, zeroHash } from "viem";
import { connect, createDatanet, contribute, hashOf, AccessPolicy, ContributionPolicy, Status, type Env } from "../helpers/fixture.ts";

describe("Contributions", () => {
  let env: Env;
  let open: bigint;
  let curated: bigint;
  before(async () => {
    env = await connect();
    open = await createDatanet(env, AccessPolicy.Open, ContributionPolicy.Open);
    curated = await createDatanet(env, AccessPolicy.Permissioned, ContributionPolicy.Curated);
  });

  it("accepts contributions to an open Datanet at once, and emits hash, CID and metadata", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const who = getAddress(accounts.contributor.account.address);
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.contribute([open, hashOf("a"), "bafya", "ipfs://ma"], { account: accounts.contributor.account }),
      datanetRegistry,
      "ContributionRegistered",
      [1n, open, who, hashOf("a"), "bafya", "ipfs://ma", Status.Accepted],
    );
    assert.deepEqual(await datanetRegistry.read.getContribution([1n]), [who, open, Status.Accepted]);
    assert.equal(await datanetRegistry.read.contributionStatus([1n]), Status.Accepted);
    assert.equal(await datanetRegistry.read.contributionCount(), 1n);
  });

  it("starts contributions to a curated Datanet pending", async () => {
    const id = await contribute(env, curated, "b");
    assert.equal(await env.datanetRegistry.read.contributionStatus([id]), Status.Pending);
  });

  it("refuses bad registrations with the offending value", async () => {
    const { datanetRegistry, viem } = env;
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.contribute([77n, hashOf("x"), "c", ""]),
      datanetRegistry,
      "DatanetNotFound",
      [77n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.contribute([open, zeroHash, "c", ""]),
      datanetRegistry,
      "EmptyContentHash",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.contribute([open, hashOf("x"), "", ""]),
      datanetRegistry,
      "EmptyContentId",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.read.getContribution([999n]),
      datanetRegistry,
      "ContributionNotFound",
      [999n],
    );
    assert.equal(await datanetRegistry.read.contributionStatus([999n]), Status.None);
  });

  it("lets approvers accept and reject in batches, emitting one event per contribution", async () => {
    const { datanetRegistry, viem, accounts, publicClient } = env;
    const ids = [await contribute(env, curated, "c1"), await contribute(env, curated, "c2"), await contribute(env, curated, "c3")];
    const hash = await datanetRegistry.write.acceptContributions([[ids[0]!, ids[1]!]], { account: accounts.approver.account });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const events = await publicClient.getContractEvents({
      address: datanetRegistry.address,
      abi: datanetRegistry.abi,
      eventName: "ContributionStatusChanged",
      blockHash: receipt.blockHash,
    });
    assert.deepEqual(
      events.map((e) => [e.args.contributionId, e.args.status]),
      [
        [ids[0], Status.Accepted],
        [ids[1], Status.Accepted],
      ],
    );
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.rejectContributions([[ids[2]!], "off topic"], { account: accounts.owner.account }),
      datanetRegistry,
      "ContributionStatusChanged",
      [ids[2]!, curated, getAddress(accounts.owner.account.address), Status.Rejected, "off topic"],
    );
    assert.equal(await datanetRegistry.read.contributionStatus([ids[2]!]), Status.Rejected);
    // An entry no longer pending is skipped and reported; the rest of the batch goes through.
    const ap = getAddress(accounts.approver.account.address);
    const next = await contribute(env, curated, "c4");
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.acceptContributions([[ids[2]!, next]], { account: accounts.approver.account }),
      datanetRegistry,
      "ContributionReviewSkipped",
      [ids[2]!, curated, ap, Status.Rejected],
    );
    assert.equal(await datanetRegistry.read.contributionStatus([ids[2]!]), Status.Rejected);
    assert.equal(await datanetRegistry.read.contributionStatus([next]), Status.Accepted);
  });

  it("refuses reviews by non-approvers, of unknown ids, and of empty or oversized batches", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const id = await contribute(env, curated, "d");
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.acceptContributions([[id]], { account: accounts.other.account }),
      datanetRegistry,
      "NotDatanetApprover",
      [curated, getAddress(accounts.other.account.address)],
    );
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.acceptContributions([[12345n]], { account: accounts.approver.account }),
      datanetRegistry,
      "ContributionReviewSkipped",
      [12345n, 0n, getAddress(accounts.approver.account.address), Status.None],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.acceptContributions([[]], { account: accounts.approver.account }),
      datanetRegistry,
      "InvalidBatchSize",
      [0n, 100n],
    );
    const tooMany = Array.from({ length: 101 }, () => id);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.rejectContributions([tooMany, ""], { account: accounts.approver.account }),
      datanetRegistry,
      "InvalidBatchSize",
      [101n, 100n],
    );
  });

  it("checks approval per Datanet within a mixed batch", async () => {
    const { datanetRegistry, viem, accounts } = env;
    // The approver approves `curated`, but a third Datanet is owned by `other`.
    const hash = await datanetRegistry.write.createDatanet(["ipfs://z", "MIT", 0, ContributionPolicy.Curated], {
      account: accounts.other.account,
    });
    await env.publicClient.waitForTransactionReceipt({ hash });
    const foreign = await datanetRegistry.read.datanetCount();
    const mine = await contribute(env, curated, "e1");
    const theirs = await contribute(env, foreign, "e2");
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.acceptContributions([[mine, theirs]], { account: accounts.approver.account }),
      datanetRegistry,
      "NotDatanetApprover",
      [foreign, getAddress(accounts.approver.account.address)],
    );
    assert.equal(await datanetRegistry.read.contributionStatus([mine]), Status.Pending, "whole batch reverted");
  });

  it("lets only the contributor withdraw, once, from any status", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const id = await contribute(env, curated, "w");
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.withdrawContribution([id], { account: accounts.approver.account }),
      datanetRegistry,
      "NotContributor",
      [id, getAddress(accounts.approver.account.address)],
    );
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.withdrawContribution([id], { account: accounts.contributor.account }),
      datanetRegistry,
      "ContributionStatusChanged",
      [id, curated, getAddress(accounts.contributor.account.address), Status.Withdrawn, ""],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.withdrawContribution([id], { account: accounts.contributor.account }),
      datanetRegistry,
      "InvalidContributionStatus",
      [id, Status.Withdrawn],
    );
    // A withdrawal that lands just before a review batch does not make the batch revert.
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.acceptContributions([[id]], { account: accounts.approver.account }),
      datanetRegistry,
      "ContributionReviewSkipped",
      [id, curated, getAddress(accounts.approver.account.address), Status.Withdrawn],
    );
    assert.equal(await datanetRegistry.read.contributionStatus([id]), Status.Withdrawn);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.withdrawContribution([4242n], { account: accounts.contributor.account }),
      datanetRegistry,
      "ContributionNotFound",
      [4242n],
    );
  });
});
