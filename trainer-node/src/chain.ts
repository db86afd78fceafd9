// The node's view of the chain: clients for the configured RPC and operator key, the four
// protocol contracts from the deployment file, transactions whose reverts become readable
// errors, and event reads split into bounded block ranges.
import { readFile } from "node:fs/promises";
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  getContract,
  http,
  type Abi,
  type Address,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import {
  attributionLedgerAbi,
  datanetRegistryAbi,
  parseDeployment,
  trainerRegistryAbi,
  trainingJobsAbi,
  type Deployment,
} from "@modelfactory/sdk";
import type { TrainerNodeConfig } from "./config.ts";
import { TrainerNodeError } from "./errors.ts";

/** A transaction reverted or could not be sent; `shortMessage` names the contract error. */
export class ChainTxError extends TrainerNodeError {
  override name = "ChainTxError";
}

export type Chain = Awaited<ReturnType<typeof connectChain>>;

/** Connects to the chain and checks the deployment matches it. */
export async function connectChain(config: Pick<TrainerNodeConfig, "rpcUrl" | "deploymentFile" | "operatorKey" | "pollIntervalMs">) {
  const deployment: Deployment = parseDeployment(JSON.parse(await readFile(config.deploymentFile, "utf8")), config.deploymentFile);
  const transport = http(config.rpcUrl, { retryCount: 3, timeout: 30_000 });
  const publicClient: PublicClient = createPublicClient({ transport, pollingInterval: config.pollIntervalMs });
  const chainId = await publicClient.getChainId().catch((cause: unknown) => {
    throw new TrainerNodeError(`Cannot reach the chain at ${config.rpcUrl}.`, {
      code: "CHAIN_UNREACHABLE",
      cause,
      details: "Start the local chain (`npm run dev`) or set MF_RPC_URL.",
    });
  });
  if (chainId !== deployment.chainId) {
    throw new TrainerNodeError(`The deployment file is for chain ${deployment.chainId} but ${config.rpcUrl} is chain ${chainId}.`, {
      code: "CHAIN_MISMATCH",
    });
  }
  const code = await publicClient.getCode({ address: deployment.contracts.TrainingJobs.address });
  if (!code || code === "0x") {
    throw new TrainerNodeError(`No TrainingJobs contract at ${deployment.contracts.TrainingJobs.address} on chain ${chainId}.`, {
      code: "DEPLOYMENT_STALE",
      details: "The chain was restarted without redeploying; run `npm run deploy` (or restart `npm run dev`).",
    });
  }
  const account: PrivateKeyAccount = privateKeyToAccount(config.operatorKey);
  const chain = {
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  } as const;
  const walletClient = createWalletClient({ account, chain, transport });
  const client = { public: publicClient, wallet: walletClient };
  const contracts = {
    datanets: getContract({ address: deployment.contracts.DatanetRegistry.address, abi: datanetRegistryAbi, client }),
    trainers: getContract({ address: deployment.contracts.TrainerRegistry.address, abi: trainerRegistryAbi, client }),
    jobs: getContract({ address: deployment.contracts.TrainingJobs.address, abi: trainingJobsAbi, client }),
    ledger: getContract({ address: deployment.contracts.AttributionLedger.address, abi: attributionLedgerAbi, client }),
  };

  // Every transaction from the operator's account is submitted one at a time: two submissions
  // in flight would read the same pending nonce, and the second would fail ("nonce too low").
  // Waiting for receipts is not serialized.
  let submitting: Promise<unknown> = Promise.resolve();
  function submitted<T>(submit: () => Promise<T>): Promise<T> {
    const turn = submitting.then(submit, submit);
    submitting = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Simulates, sends and waits for a contract call by the operator. A revert becomes a
   * ChainTxError whose message names the contract's custom error and arguments.
   */
  async function send(address: Address, abi: Abi, functionName: string, args: readonly unknown[]): Promise<TransactionReceipt> {
    try {
      const hash: Hash = await submitted(async () => {
        const { request } = await publicClient.simulateContract({ address, abi, functionName, args, account });
        return walletClient.writeContract(request as Parameters<typeof walletClient.writeContract>[0]);
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: Math.min(config.pollIntervalMs, 250) });
      if (receipt.status !== "success") throw new ChainTxError(`${functionName} reverted in transaction ${hash}.`, { code: "TX_REVERTED" });
      return receipt;
    } catch (error) {
      if (error instanceof ChainTxError) throw error;
      throw new ChainTxError(`${functionName} failed: ${revertReason(error)}`, {
        code: "TX_FAILED",
        cause: error,
        meta: { revert: revertName(error) },
      });
    }
  }

  return {
    deployment,
    chainId,
    publicClient,
    walletClient,
    account,
    contracts,
    send,
    submitted,
    startBlock: BigInt(deployment.contracts.DatanetRegistry.blockNumber),
  };
}

/** The custom error name of a revert, if the error is one. */
export function revertName(error: unknown): string | undefined {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) return revert.data?.errorName;
  }
  return undefined;
}

/** One readable phrase for a revert or transport error. */
export function revertReason(error: unknown): string {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError && revert.data) {
      const args = (revert.data.args ?? []).map((a) => String(a)).join(", ");
      return `${revert.data.errorName}(${args})`;
    }
    return error.shortMessage;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Splits [from, to] into ranges of at most `size` blocks, for providers that cap getLogs. */
export function blockRanges(from: bigint, to: bigint, size = 10_000n): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (let start = from; start <= to; start += size) out.push([start, start + size - 1n < to ? start + size - 1n : to]);
  return out;
}
