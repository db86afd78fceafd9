// A Hardhat node on a free loopback port and the protocol deployed to it, for the subgraph
// tests and the indexer benchmark: the shared test harness (scripts/lib/test-harness.ts) plus
// what these tests add (a deployment file, a send-and-wait helper).
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Abi, Address, Hex, PublicClient, WalletClient } from "viem";
import type { Deployment } from "@modelfactory/sdk";
import {
  deployProtocolTo,
  freePort,
  REPO_ROOT,
  startLocalChain,
  type DeployedContracts,
  type LocalChain,
} from "../../../scripts/lib/test-harness.ts";

export { freePort };
export const repoRoot = REPO_ROOT;

type Name = keyof DeployedContracts;

export type HardhatNode = Pick<LocalChain, "url" | "port" | "process" | "stop">;

/** Starts `hardhat node` from the repository root and waits until it answers. */
export async function startHardhatNode(port?: number): Promise<HardhatNode> {
  return startLocalChain({ port });
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

/** Deploys the protocol in the deploy script's order, with account 0 as admin. */
export async function deployProtocol(url: string): Promise<Protocol> {
  const { chainId, publicClient, wallet, accounts, contracts, deployment } = await deployProtocolTo(url);
  const chain = {
    id: chainId,
    name: "hardhat",
    nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
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
