import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../src/config/app-config.ts";

const contracts = Object.fromEntries(
  ["DatanetRegistry", "TrainerRegistry", "TrainingJobs", "AttributionLedger"].map((n, i) => [
    n,
    { address: `0x${String(i + 1).repeat(40)}`, blockNumber: 1 },
  ]),
);
const good = {
  chainId: 31337,
  rpcUrl: "http://127.0.0.1:8545",
  graphqlUrl: "http://127.0.0.1:8000/graphql",
  contentApiUrl: "http://127.0.0.1:5001/",
  contracts,
};

describe("parseAppConfig", () => {
  it("accepts a local config with defaults", () => {
    const c = parseAppConfig(good);
    expect(c.burnerWallet).toBe(true);
    expect(c.walletConnectProjectId).toBeNull();
    expect(c.contentApiUrl).toBe("http://127.0.0.1:5001");
    expect(c.chainName).toBe("Hardhat (local)");
  });
  it("names the bad value", () => {
    expect(() => parseAppConfig({ ...good, rpcUrl: "not a url" })).toThrow(/"rpcUrl" is not a URL/);
    expect(() => parseAppConfig({ ...good, contracts: { ...contracts, TrainingJobs: { address: "0x12", blockNumber: 1 } } })).toThrow(
      /TrainingJobs/,
    );
    expect(() => parseAppConfig({ ...good, walletConnectProjectId: "nope" })).toThrow(/walletConnectProjectId/);
    expect(() => parseAppConfig([])).toThrow(/not a JSON object/);
  });
  it("refuses the burner wallet off development chains", () => {
    expect(() => parseAppConfig({ ...good, chainId: 1, burnerWallet: true })).toThrow(/development chains only/);
    expect(parseAppConfig({ ...good, chainId: 1 }).burnerWallet).toBe(false);
  });
});
