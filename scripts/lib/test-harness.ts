// The one test harness of the whole-system suites (subgraph, trainer node, browser, and the
// benchmarks on a real chain): a free loopback port, a Hardhat node as a child process in its
// own process group (stopped by its pid), and the protocol deployed to it from the compiled
// artifacts with the deploy script's order and arguments (scripts/lib/deploy.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { createPublicClient, createWalletClient, http, type Abi, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import type { Deployment } from "@modelfactory/sdk";
import { constructorArgs, DEPLOY_ORDER, type DeployedName } from "./deploy.ts";
import { rpcReady } from "./processes.ts";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export type LocalChain = {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the node printed so far. */
  output: () => string;
  stop: () => Promise<void>;
};

/** Starts `hardhat node` from the repository root on a free port (or `port`) and waits until it answers. */
export async function startLocalChain(options: { port?: number; timeoutMs?: number } = {}): Promise<LocalChain> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules/hardhat/dist/src/cli.js"), "node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  // Keep only the tail: the node logs every RPC call.
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once("exit", r));
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, s);
      } catch {
        /* already gone */
      }
    };
    signal("SIGTERM");
    // The grace timer is cleared once the node exits: left pending, it kept every test process
    // that stopped a chain alive for 5 s after its last test.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (grace = setTimeout(r, 5000)))]);
    clearTimeout(grace);
    if (child.exitCode === null && child.signalCode === null) signal("SIGKILL");
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited early (code ${child.exitCode}):\n${output}`);
    if (await rpcReady(url).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`hardhat node did not answer on ${url} within ${(options.timeoutMs ?? 60_000) / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, process: child, output: () => output, stop };
}

const ARTIFACTS: Record<DeployedName, string> = {
  DatanetRegistry: "contracts/datanet/DatanetRegistry.sol/DatanetRegistry.json",
  TrainerRegistry: "contracts/training/TrainerRegistry.sol/TrainerRegistry.json",
  TrainingJobs: "contracts/training/TrainingJobs.sol/TrainingJobs.json",
  AttributionLedger: "contracts/attribution/AttributionLedger.sol/AttributionLedger.json",
  DatanetKeys: "contracts/keys/DatanetKeys.sol/DatanetKeys.json",
};

export type DeployedContracts = Record<DeployedName, { address: Address; abi: Abi }>;

export type DeployedProtocol = {
  chainId: number;
  publicClient: PublicClient;
  wallet: WalletClient;
  /** The node's unlocked accounts; the first is the admin. */
  accounts: Address[];
  contracts: DeployedContracts;
  deployment: Deployment;
};

/** Deploys the protocol to a node with unlocked accounts (Hardhat's), account 0 as admin, from `artifacts/`. */
export async function deployProtocolTo(url: string): Promise<DeployedProtocol> {
  const transport = http(url, { batch: { batchSize: 100, wait: 0 }, timeout: 120_000 });
  const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
  const wallet = createWalletClient({ transport });
  const accounts = (await wallet.getAddresses()) as Address[];
  const admin = accounts[0]!;
  const chainId = await publicClient.getChainId();
  const chain = {
    id: chainId,
    name: "hardhat",
    nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  };
  const blockNumber = Number(await publicClient.getBlockNumber()) + 1;
  const contracts = {} as DeployedContracts;
  const addresses: Partial<Record<DeployedName, Address>> = {};
  for (const name of DEPLOY_ORDER) {
    const { abi, bytecode } = JSON.parse(await readFile(path.join(REPO_ROOT, "artifacts", ARTIFACTS[name]), "utf8")) as {
      abi: Abi;
      bytecode: Hex;
    };
    const hash = await wallet.deployContract({
      abi,
      bytecode,
      args: constructorArgs(name, addresses, admin) as never,
      account: admin,
      chain,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`Deploying ${name} failed (transaction ${hash}).`);
    contracts[name] = { address: receipt.contractAddress, abi };
    addresses[name] = receipt.contractAddress;
  }
  const deployment: Deployment = {
    chainId,
    contracts: Object.fromEntries(DEPLOY_ORDER.map((n) => [n, { address: contracts[n].address, blockNumber }])) as Deployment["contracts"],
  };
  return { chainId, publicClient, wallet, accounts, contracts, deployment };
}
