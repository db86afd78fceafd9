// Hardhat 3 configuration. Solidity compiles offline with the solcjs build from the
// exactly pinned npm `solc` package: Hardhat would otherwise try to download a compiler.
import { createRequire } from "node:module";
import path from "node:path";
import { defineConfig } from "hardhat/config";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";

const require = createRequire(import.meta.url);
const solcDir = path.dirname(require.resolve("solc/package.json"));
const solcVersion: string = require("solc/package.json").version;

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    version: solcVersion,
    path: path.join(solcDir, "soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
    },
  },
  test: {
    solidity: {
      // Properties are fuzzed thousands of times; the seed keeps CI reproducible.
      fuzz: { runs: Number(process.env.FUZZ_RUNS ?? 5000), seed: "0x4d6f64656c466163746f7279" },
    },
  },
  networks: {
    localhost: { type: "http", url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545" },
  },
});
