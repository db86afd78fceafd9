// A Hardhat node as a child process on a free loopback port, and the protocol deployed to it
// from the compiled artifacts, for tests and the indexer benchmark. Stopped by its own pid.
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import type { Deployment } from "@modelfactory/sdk";
import { rpcReady } from "../../../scripts/lib/processes.ts";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");

const ARTIFACTS = {
  DatanetRegistry: "contracts/datanet/DatanetRegistry.sol/DatanetRegistry.json",
  TrainerRegistry: "contracts/training/TrainerRegistry.sol/TrainerRegistry.json",
  TrainingJobs: "contracts/training/TrainingJobs.sol/TrainingJobs.json",
  AttributionLedger: "contracts/attribution/AttributionLedger.sol/AttributionLedger.json",
  DatanetKeys: "contracts/keys/DatanetKeys.sol/DatanetKeys.json",
} as const;
type Name = keyof typeof ARTIFACTS;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export type HardhatNode = { url: string; port: number; process: ChildProcess; stop: () => Promise<void> };

/** Starts `hardhat node` from the repository root and waits until it answers. */
export async function startHardhatNode(port?: number): Promise<HardhatNode> {
  const p = port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "node_modules/hardhat/dist/src/cli.js"), "node", "--hostname", "127.0.0.1", "--port", String(p)],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited early:\n${output}`);
    if (await rpcReady(url).catch(() => false)) break;
    if (Date.now() > deadline) throw new Error(`hardhat node did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  return { url, port: p, process: child, stop };
}

export type Contracts = Record<Name, { address: Address; abi: Abi }>;

export type Protocol = {
  url: string;
  chainId: number;
  publicClient: PublicClient;
  wallet: WalletClient;
  accounts: Address[];
  contracts: Contracts;
  deployment: Deployment;
  /** Writes the deployment to a temporary file and returns its path. */
  deploymentFile: () => Promise<string>;
  /** Sends a transaction from `from` and waits for it to be mined. */
  send: (from: Address, name: Name, functionName: string, args: unknown[]) => Promise<Hex>;
};

async function artifact(name: Name): Promise<{ abi: Abi; bytecode: Hex }> {
  return JSON.parse(await readFile(path.join(repoRoot, "artifacts", ARTIFACTS[name]), "utf8"));
}

/** Deploys the protocol contracts in the order of scripts/lib/deploy.ts, with account 0 as admin. */
export async function deployProtocol(url: string): Promise<Protocol> {
  const transport = http(url, { batch: { batchSize: 100, wait: 0 }, timeout: 120_000 });
  const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
  const wallet = createWalletClient({ transport });
  const accounts = (await wallet.getAddresses()) as Address[];
  const admin = accounts[0]!;
  const chainId = await publicClient.getChainId();
  const chain = { id: chainId, name: "hardhat", nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [url] } } };
  const blockNumber = Number(await publicClient.getBlockNumber()) + 1;
  const contracts = {} as Contracts;
  const deployOne = async (name: Name, args: unknown[]) => {
    const { abi, bytecode } = await artifact(name);
    const hash = await wallet.deployContract({ abi, bytecode, args, account: admin, chain });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    contracts[name] = { address: receipt.contractAddress!, abi };
  };
  await deployOne("DatanetRegistry", []);
  await deployOne("TrainerRegistry", [admin]);
  await deployOne("TrainingJobs", [contracts.DatanetRegistry.address, contracts.TrainerRegistry.address, admin]);
  await deployOne("AttributionLedger", [contracts.TrainerRegistry.address, contracts.TrainingJobs.address, contracts.DatanetRegistry.address]);
  await deployOne("DatanetKeys", [contracts.DatanetRegistry.address]);
  const deployment: Deployment = {
    chainId,
    contracts: {
      DatanetRegistry: { address: contracts.DatanetRegistry.address, blockNumber },
      TrainerRegistry: { address: contracts.TrainerRegistry.address, blockNumber },
      TrainingJobs: { address: contracts.TrainingJobs.address, blockNumber },
      AttributionLedger: { address: contracts.AttributionLedger.address, blockNumber },
      DatanetKeys: { address: contracts.DatanetKeys.address, blockNumber },
    },
  };
  const send = async (from: Address, name: Name, functionName: string, args: unknown[]) => {
    const c = contracts[name];
    const hash = await wallet.writeContract({ address: c.address, abi: c.abi, functionName, args, account: from, chain });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== "success") throw new Error(`${name}.${functionName} reverted`);
    return hash;
  };
  const deploymentFile = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "mf-deployment-"));
    const file = path.join(dir, `${chainId}.json`);
    await writeFile(file, JSON.stringify(deployment, null, 2));
    return file;
  };
  return { url, chainId, publicClient, wallet, accounts, contracts, deployment, deploymentFile, send };
}
