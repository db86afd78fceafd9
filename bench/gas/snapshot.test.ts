// Gas is deterministic, so the committed snapshot and the budgets are checked in the tests:
// a change that costs gas fails here unless it updates bench/gas/snapshot.json.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { measureGas } from "./measure.ts";
import { gasProblems, readSnapshot } from "./snapshot.ts";

describe("gas snapshot", () => {
  it("no operation costs more than 2 % over the committed snapshot or exceeds its budget", async () => {
    const { viem } = await network.create();
    const measured = await measureGas(viem);
    assert.deepEqual(gasProblems(measured, await readSnapshot()), []);
  });
});
