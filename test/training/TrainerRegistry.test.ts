import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { getAddress, keccak256, stringToBytes, zeroAddress } from "viem";
import { connect, type Env } from "../helpers/fixture.ts";

describe("TrainerRegistry", () => {
  let env: Env;
  before(async () => {
    env = await connect();
  });

  it("refuses a zero admin at deployment", async () => {
    await assert.rejects(env.viem.deployContract("TrainerRegistry", [zeroAddress]), /ZeroOperator/);
  });

  it("lets the admin admit a trainer, active at once", async () => {
    const { trainerRegistry, viem, accounts } = env;
    const t = getAddress(accounts.trainer.account.address);
    await viem.assertions.emitWithArgs(
      trainerRegistry.write.admitTrainer([t, "http://127.0.0.1:8787", "ipfs://node"], { account: accounts.admin.account }),
      trainerRegistry,
      "TrainerAdmitted",
      [t, "http://127.0.0.1:8787", "ipfs://node"],
    );
    assert.equal(await trainerRegistry.read.isAdmitted([t]), true);
    assert.equal(await trainerRegistry.read.isActiveTrainer([t]), true);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainerRegistry.write.admitTrainer([t, "http://x", ""], { account: accounts.admin.account }),
      trainerRegistry,
      "TrainerAlreadyAdmitted",
      [t],
    );
  });

  it("refuses admissions from non-admins and with bad arguments", async () => {
    const { trainerRegistry, viem, accounts } = env;
    const role = keccak256(stringToBytes("TRAINER_ADMIN_ROLE"));
    assert.equal(await trainerRegistry.read.TRAINER_ADMIN_ROLE(), role);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainerRegistry.write.admitTrainer([accounts.other.account.address, "http://x", ""], { account: accounts.other.account }),
      trainerRegistry,
      "AccessControlUnauthorizedAccount",
      [getAddress(accounts.other.account.address), role],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainerRegistry.write.admitTrainer([zeroAddress, "http://x", ""], { account: accounts.admin.account }),
      trainerRegistry,
      "ZeroOperator",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainerRegistry.write.admitTrainer([accounts.other.account.address, "", ""], { account: accounts.admin.account }),
      trainerRegistry,
      "EmptyEndpoint",
      [],
    );
  });

  it("lets operators update their endpoint and switch themselves off and on", async () => {
    const { trainerRegistry, viem, accounts } = env;
    const t = getAddress(accounts.trainer.account.address);
    await viem.assertions.emitWithArgs(
      trainerRegistry.write.updateTrainer(["http://127.0.0.1:9000", "ipfs://node2"], { account: accounts.trainer.account }),
      trainerRegistry,
      "TrainerUpdated",
      [t, "http://127.0.0.1:9000", "ipfs://node2"],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainerRegistry.write.updateTrainer(["", ""], { account: accounts.trainer.account }),
      trainerRegistry,
      "EmptyEndpoint",
      [],
    );
    await viem.assertions.emitWithArgs(
      trainerRegistry.write.setActive([false], { account: accounts.trainer.account }),
      trainerRegistry,
      "TrainerStatusChanged",
      [t, false],
    );
    assert.equal(await trainerRegistry.read.isActiveTrainer([t]), false);
    assert.equal(await trainerRegistry.read.isAdmitted([t]), true);
    await trainerRegistry.write.setActive([true], { account: accounts.trainer.account });
    assert.equal(await trainerRegistry.read.isActiveTrainer([t]), true);
    const o = getAddress(accounts.other.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainerRegistry.write.updateTrainer(["http://x", ""], { account: accounts.other.account }),
      trainerRegistry,
      "TrainerNotAdmitted",
      [o],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainerRegistry.write.setActive([true], { account: accounts.other.account }),
      trainerRegistry,
      "TrainerNotAdmitted",
      [o],
    );
  });

  it("lets the admin remove a trainer", async () => {
    const { trainerRegistry, viem, accounts } = env;
    const t = getAddress(accounts.trainer.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainerRegistry.write.removeTrainer([t], { account: accounts.trainer.account }),
      trainerRegistry,
      "AccessControlUnauthorizedAccount",
      [t, await trainerRegistry.read.TRAINER_ADMIN_ROLE()],
    );
    await viem.assertions.emitWithArgs(
      trainerRegistry.write.removeTrainer([t], { account: accounts.admin.account }),
      trainerRegistry,
      "TrainerRemoved",
      [t],
    );
    assert.equal(await trainerRegistry.read.isActiveTrainer([t]), false);
    assert.equal(await trainerRegistry.read.isAdmitted([t]), false);
    await viem.assertions.revertWithCustomErrorWithArgs(
      trainerRegistry.write.removeTrainer([t], { account: accounts.admin.account }),
      trainerRegistry,
      "TrainerNotAdmitted",
      [t],
    );
  });
});
