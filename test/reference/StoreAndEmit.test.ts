import { describe, it } from "node:test";
import { keccak256, stringToBytes } from "viem";
import { connect } from "../helpers/fixture.ts";

describe("StoreAndEmit (gas reference)", () => {
  it("stores each value under the next id and emits it", async () => {
    const { viem } = await connect();
    const ref = await viem.deployContract("StoreAndEmit");
    const v = keccak256(stringToBytes("v"));
    await viem.assertions.emitWithArgs(ref.write.store([v]), ref, "Stored", [1n, v]);
    await viem.assertions.emitWithArgs(ref.write.store([v]), ref, "Stored", [2n, v]);
  });
});
