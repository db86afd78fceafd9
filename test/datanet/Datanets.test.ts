import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { zeroAddress, getAddress } from "viem";
import { connect, AccessPolicy, ContributionPolicy, type Env } from "../helpers/fixture.ts";

describe("Datanets", () => {
  let env: Env;
  let id: bigint;
  before(async () => {
    env = await connect();
  });

  it("creates a Datanet owned by the caller and emits everything the index needs", async () => {
    const { datanetRegistry, viem, accounts } = env;
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.createDatanet(["ipfs://meta", "CC-BY-4.0", AccessPolicy.Permissioned, ContributionPolicy.Curated], {
        account: accounts.owner.account,
      }),
      datanetRegistry,
      "DatanetCreated",
      [1n, getAddress(accounts.owner.account.address), "ipfs://meta", "CC-BY-4.0", AccessPolicy.Permissioned, ContributionPolicy.Curated],
    );
    id = 1n;
    assert.equal(await datanetRegistry.read.datanetCount(), 1n);
    assert.equal(getAddress(await datanetRegistry.read.datanetOwner([id])), getAddress(accounts.owner.account.address));
    assert.deepEqual(await datanetRegistry.read.datanetPolicies([id]), [AccessPolicy.Permissioned, ContributionPolicy.Curated]);
  });

  it("refuses an empty metadata URI", async () => {
    const { datanetRegistry, viem } = env;
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.createDatanet(["", "MIT", 0, 0]),
      datanetRegistry,
      "EmptyMetadataURI",
      [],
    );
  });

  it("reports unknown Datanets", async () => {
    const { datanetRegistry, viem } = env;
    await viem.assertions.revertWithCustomErrorWithArgs(datanetRegistry.read.datanetOwner([99n]), datanetRegistry, "DatanetNotFound", [
      99n,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(datanetRegistry.read.datanetPolicies([99n]), datanetRegistry, "DatanetNotFound", [
      99n,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.read.isApprover([99n, zeroAddress]),
      datanetRegistry,
      "DatanetNotFound",
      [99n],
    );
  });

  it("lets the owner update metadata and policies, and nobody else", async () => {
    const { datanetRegistry, viem, accounts } = env;
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.updateMetadata([id, "ipfs://meta2", "MIT"], { account: accounts.owner.account }),
      datanetRegistry,
      "DatanetMetadataUpdated",
      [id, "ipfs://meta2", "MIT"],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.updateMetadata([id, "", "MIT"], { account: accounts.owner.account }),
      datanetRegistry,
      "EmptyMetadataURI",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.updateMetadata([id, "ipfs://x", "MIT"], { account: accounts.other.account }),
      datanetRegistry,
      "NotDatanetOwner",
      [id, getAddress(accounts.other.account.address)],
    );
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.setPolicies([id, AccessPolicy.Open, ContributionPolicy.Open], { account: accounts.owner.account }),
      datanetRegistry,
      "DatanetPoliciesUpdated",
      [id, AccessPolicy.Open, ContributionPolicy.Open],
    );
    assert.deepEqual(await datanetRegistry.read.datanetPolicies([id]), [AccessPolicy.Open, ContributionPolicy.Open]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.setPolicies([id, 1, 1], { account: accounts.approver.account }),
      datanetRegistry,
      "NotDatanetOwner",
      [id, getAddress(accounts.approver.account.address)],
    );
  });

  it("manages approvers", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const a = getAddress(accounts.approver.account.address);
    assert.equal(await datanetRegistry.read.isApprover([id, a]), false);
    assert.equal(await datanetRegistry.read.isApprover([id, accounts.owner.account.address]), true, "owner approves");
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.addApprover([id, a], { account: accounts.owner.account }),
      datanetRegistry,
      "ApproverAdded",
      [id, a],
    );
    assert.equal(await datanetRegistry.read.isApprover([id, a]), true);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.addApprover([id, a], { account: accounts.owner.account }),
      datanetRegistry,
      "AlreadyApprover",
      [id, a],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.addApprover([id, zeroAddress], { account: accounts.owner.account }),
      datanetRegistry,
      "ZeroAddress",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.addApprover([id, a], { account: accounts.approver.account }),
      datanetRegistry,
      "NotDatanetOwner",
      [id, a],
    );
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.removeApprover([id, a], { account: accounts.owner.account }),
      datanetRegistry,
      "ApproverRemoved",
      [id, a],
    );
    assert.equal(await datanetRegistry.read.isApprover([id, a]), false);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.removeApprover([id, a], { account: accounts.owner.account }),
      datanetRegistry,
      "NotAnApprover",
      [id, a],
    );
  });

  it("transfers ownership in two steps", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const owner = getAddress(accounts.owner.account.address);
    const next = getAddress(accounts.other.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.transferOwnership([id, zeroAddress], { account: accounts.owner.account }),
      datanetRegistry,
      "ZeroAddress",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.transferOwnership([id, next], { account: accounts.other.account }),
      datanetRegistry,
      "NotDatanetOwner",
      [id, next],
    );
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.transferOwnership([id, next], { account: accounts.owner.account }),
      datanetRegistry,
      "DatanetOwnershipTransferStarted",
      [id, owner, next],
    );
    assert.equal(getAddress(await datanetRegistry.read.pendingOwner([id])), next);
    assert.equal(getAddress(await datanetRegistry.read.datanetOwner([id])), owner, "unchanged until accepted");
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.acceptOwnership([id], { account: accounts.approver.account }),
      datanetRegistry,
      "NotPendingOwner",
      [id, getAddress(accounts.approver.account.address)],
    );
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.acceptOwnership([id], { account: accounts.other.account }),
      datanetRegistry,
      "DatanetOwnershipTransferred",
      [id, owner, next],
    );
    assert.equal(getAddress(await datanetRegistry.read.datanetOwner([id])), next);
    assert.equal(await datanetRegistry.read.pendingOwner([id]), zeroAddress);
    assert.equal(await datanetRegistry.read.isApprover([id, owner]), false, "former owner no longer approves");
  });

  it("clears the seller's approvers on transfer, unless the new owner keeps them", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const seller = accounts.owner;
    const buyer = accounts.builder;
    const approver = getAddress(accounts.approver.account.address);
    const sellerAddress = getAddress(seller.account.address);
    const create = async () => {
      await datanetRegistry.write.createDatanet(["ipfs://m", "MIT", 1, 1], { account: seller.account });
      const d = await datanetRegistry.read.datanetCount();
      await datanetRegistry.write.addApprover([d, approver], { account: seller.account });
      // The seller adds itself too, hoping to keep approving after the sale.
      await datanetRegistry.write.addApprover([d, sellerAddress], { account: seller.account });
      await datanetRegistry.write.transferOwnership([d, buyer.account.address], { account: seller.account });
      return d;
    };
    const cleared = await create();
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.acceptOwnership([cleared], { account: buyer.account }),
      datanetRegistry,
      "ApproversCleared",
      [cleared, 1],
    );
    for (const a of [approver, sellerAddress]) {
      assert.equal(await datanetRegistry.read.isApprover([cleared, a]), false);
      assert.equal(await datanetRegistry.read.approverSince([cleared, a]), 0n);
    }
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.removeApprover([cleared, approver], { account: buyer.account }),
      datanetRegistry,
      "NotAnApprover",
      [cleared, approver],
    );
    // The new owner can build its own set, starting fresh.
    await datanetRegistry.write.addApprover([cleared, approver], { account: buyer.account });
    assert.equal(await datanetRegistry.read.isApprover([cleared, approver]), true);
    const kept = await create();
    const hash = await datanetRegistry.write.acceptOwnershipKeepingApprovers([kept], { account: buyer.account });
    const receipt = await env.publicClient.waitForTransactionReceipt({ hash });
    const events = await env.publicClient.getContractEvents({
      address: datanetRegistry.address,
      abi: datanetRegistry.abi,
      eventName: "ApproversCleared",
      blockHash: receipt.blockHash,
    });
    assert.equal(events.length, 0);
    assert.equal(await datanetRegistry.read.isApprover([kept, approver]), true);
    assert.equal(await datanetRegistry.read.isApprover([kept, sellerAddress]), true, "kept explicitly, seller included");
    assert.equal(getAddress(await datanetRegistry.read.datanetOwner([kept])), getAddress(buyer.account.address));
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.acceptOwnershipKeepingApprovers([kept], { account: buyer.account }),
      datanetRegistry,
      "NotPendingOwner",
      [kept, getAddress(buyer.account.address)],
    );
  });
});
