// Deployment files: the four protocol contracts are required; DatanetKeys (added later) is
// optional, so files written before it stay valid, and checked when present.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseDeployment } from "../../src/index.ts";

const contracts = Object.fromEntries(
  ["DatanetRegistry", "TrainerRegistry", "TrainingJobs", "AttributionLedger"].map((n, i) => [
    n,
    { address: `0x${String(i + 1).repeat(40)}`, blockNumber: 1 },
  ]),
);

describe("parseDeployment", () => {
  it("accepts a file without DatanetKeys, and one with it", () => {
    assert.equal(parseDeployment({ chainId: 31337, contracts }).contracts.DatanetKeys, undefined);
    const keys = { address: `0x${"5".repeat(40)}`, blockNumber: 2 };
    assert.deepEqual(parseDeployment({ chainId: 31337, contracts: { ...contracts, DatanetKeys: keys } }).contracts.DatanetKeys, keys);
  });
  it("refuses a bad DatanetKeys entry and a missing required contract, naming it", () => {
    assert.throws(
      () => parseDeployment({ chainId: 31337, contracts: { ...contracts, DatanetKeys: { address: "0x12", blockNumber: 1 } } }),
      /contracts\.DatanetKeys\.address is not an address/,
    );
    assert.throws(
      () =>
        parseDeployment({ chainId: 31337, contracts: { ...contracts, DatanetKeys: { address: `0x${"5".repeat(40)}`, blockNumber: -1 } } }),
      /contracts\.DatanetKeys\.blockNumber/,
    );
    const { TrainingJobs: _, ...missing } = contracts;
    assert.throws(() => parseDeployment({ chainId: 31337, contracts: missing }), /contracts\.TrainingJobs\.address is missing/);
  });
});
