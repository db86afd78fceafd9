import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { getAddress, keccak256, stringToBytes, zeroAddress, zeroHash } from "viem";
import { AccessPolicy, connect, ContributionPolicy, createDatanet, type Env } from "../helpers/fixture.ts";

const keyA = keccak256(stringToBytes("x25519 key A"));
const keyB = keccak256(stringToBytes("x25519 key B"));

describe("DatanetKeys", () => {
  let env: Env;
  let datanetId: bigint;
  before(async () => {
    env = await connect();
    datanetId = await createDatanet(env, AccessPolicy.Permissioned, ContributionPolicy.Curated);
  });

  it("refuses a zero registry at deployment and names its registry", async () => {
    await assert.rejects(env.viem.deployContract("DatanetKeys", [zeroAddress]), /ZeroAddress/);
    assert.equal(getAddress(await env.datanetKeys.read.datanets()), getAddress(env.datanetRegistry.address));
  });

  it("answers a zero key, version 0 and no URL for a Datanet without one", async () => {
    assert.deepEqual(await env.datanetKeys.read.encryptionKey([datanetId]), [zeroHash, 0n, ""]);
    assert.deepEqual(await env.datanetKeys.read.encryptionKey([999n]), [zeroHash, 0n, ""]);
  });

  it("lets the owner set the key, then rotate it, bumping the version each time", async () => {
    const { datanetKeys, viem, accounts, publicClient } = env;
    await viem.assertions.emitWithArgs(
      datanetKeys.write.setEncryptionKey([datanetId, keyA, "http://127.0.0.1:8790"], { account: accounts.owner.account }),
      datanetKeys,
      "DatanetKeySet",
      [datanetId, 1n, keyA, "http://127.0.0.1:8790"],
    );
    assert.deepEqual(await datanetKeys.read.encryptionKey([datanetId]), [keyA, 1n, "http://127.0.0.1:8790"]);
    const { result } = await publicClient.simulateContract({
      address: datanetKeys.address,
      abi: datanetKeys.abi,
      functionName: "setEncryptionKey",
      args: [datanetId, keyB, "https://keys.example.org"],
      account: accounts.owner.account,
    });
    assert.equal(result, 2n);
    await viem.assertions.emitWithArgs(
      datanetKeys.write.setEncryptionKey([datanetId, keyB, "https://keys.example.org"], { account: accounts.owner.account }),
      datanetKeys,
      "DatanetKeySet",
      [datanetId, 2n, keyB, "https://keys.example.org"],
    );
    assert.deepEqual(await datanetKeys.read.encryptionKey([datanetId]), [keyB, 2n, "https://keys.example.org"]);
  });

  it("refuses anyone but the owner, approvers included", async () => {
    const { datanetKeys, viem, accounts } = env;
    for (const who of [accounts.approver, accounts.other]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        datanetKeys.write.setEncryptionKey([datanetId, keyA, "http://x"], { account: who.account }),
        datanetKeys,
        "NotDatanetOwner",
        [datanetId, getAddress(who.account.address)],
      );
    }
  });

  it("refuses an unknown Datanet, a zero key and an empty URL", async () => {
    const { datanetKeys, viem, accounts } = env;
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetKeys.write.setEncryptionKey([999n, keyA, "http://x"], { account: accounts.owner.account }),
      datanetKeys,
      "DatanetNotFound",
      [999n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetKeys.write.setEncryptionKey([datanetId, zeroHash, "http://x"], { account: accounts.owner.account }),
      datanetKeys,
      "EmptyPublicKey",
      [datanetId],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetKeys.write.setEncryptionKey([datanetId, keyA, ""], { account: accounts.owner.account }),
      datanetKeys,
      "EmptyKeyServiceURI",
      [datanetId],
    );
  });

  it("follows the registry's owner after an ownership transfer", async () => {
    const { datanetKeys, datanetRegistry, viem, accounts } = env;
    const id = await createDatanet(env, AccessPolicy.Permissioned, ContributionPolicy.Curated);
    await datanetRegistry.write.transferOwnership([id, accounts.other.account.address], { account: accounts.owner.account });
    await datanetRegistry.write.acceptOwnership([id], { account: accounts.other.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetKeys.write.setEncryptionKey([id, keyA, "http://x"], { account: accounts.owner.account }),
      datanetKeys,
      "NotDatanetOwner",
      [id, getAddress(accounts.owner.account.address)],
    );
    await viem.assertions.emitWithArgs(
      datanetKeys.write.setEncryptionKey([id, keyA, "http://x"], { account: accounts.other.account }),
      datanetKeys,
      "DatanetKeySet",
      [id, 1n, keyA, "http://x"],
    );
  });
});
