import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { datanetRegistryAbi } from "@modelfactory/sdk";
import { connectChain, type Chain } from "../src/chain.ts";
import { startStack, type Stack } from "./helpers/stack.ts";

describe("the node's transactions", { timeout: 120_000 }, () => {
  let stack: Stack;
  let chain: Chain;

  before(async () => {
    stack = await startStack();
    chain = await connectChain(await stack.nodeConfig("trainer", path.join(stack.tmp, "models")));
  });
  after(async () => {
    await stack?.stop();
  });

  it("all land when sent at once from the operator's account (no two take the same nonce)", async () => {
    const before = await stack.contracts.datanets.read.datanetCount();
    const sends = Array.from({ length: 6 }, (_, i) =>
      chain.send(stack.deployment.contracts.DatanetRegistry.address, datanetRegistryAbi, "createDatanet", [
        `ipfs://concurrent-${i}`,
        "CC-BY-4.0",
        0,
        0,
      ]),
    );
    const receipts = await Promise.all(sends);
    assert.ok(receipts.every((r) => r.status === "success"));
    assert.equal(await stack.contracts.datanets.read.datanetCount(), before + 6n);
  });

  it("keeps submitting after one submission fails", async () => {
    await assert.rejects(
      chain.send(stack.deployment.contracts.DatanetRegistry.address, datanetRegistryAbi, "addApprover", [999n, chain.account.address]),
      /addApprover failed/,
    );
    const receipt = await chain.send(stack.deployment.contracts.DatanetRegistry.address, datanetRegistryAbi, "createDatanet", [
      "ipfs://after-failure",
      "CC-BY-4.0",
      0,
      0,
    ]);
    assert.equal(receipt.status, "success");
  });
});
