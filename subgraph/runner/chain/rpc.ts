// JSON-RPC access to the chain through viem: block numbers, raw blocks with their
// transactions and raw logs, with concurrent requests batched into one HTTP call.
import { createPublicClient, http, type PublicClient } from "viem";

export type RpcTransaction = {
  hash: string;
  transactionIndex: string;
  from: string;
  to: string | null;
  value: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  input: string;
  nonce: string;
};

export type RpcBlock = {
  hash: string;
  parentHash: string;
  sha3Uncles: string;
  miner: string;
  stateRoot: string;
  transactionsRoot: string;
  receiptsRoot: string;
  number: string;
  gasUsed: string;
  gasLimit: string;
  timestamp: string;
  difficulty?: string;
  totalDifficulty?: string;
  size?: string;
  baseFeePerGas?: string;
  transactions: RpcTransaction[] | string[];
};

export type RpcLog = {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
};

const hex = (n: number) => `0x${n.toString(16)}`;

export class Rpc {
  readonly client: PublicClient;
  readonly url: string;

  constructor(url: string) {
    this.url = url;
    this.client = createPublicClient({
      transport: http(url, { batch: { batchSize: 100, wait: 0 }, retryCount: 2, timeout: 30_000 }),
    });
  }

  private request<T>(method: string, params: unknown[]): Promise<T> {
    return (this.client.request as (args: { method: string; params: unknown[] }) => Promise<T>)({ method, params });
  }

  async chainId(): Promise<number> {
    return Number(await this.request<string>("eth_chainId", []));
  }

  async blockNumber(): Promise<number> {
    return Number(await this.request<string>("eth_blockNumber", []));
  }

  /** A block, with full transactions if asked; null when the chain does not have it. */
  block(number: number, transactions = false): Promise<RpcBlock | null> {
    return this.request<RpcBlock | null>("eth_getBlockByNumber", [hex(number), transactions]);
  }

  /** Several blocks at once (one batched HTTP request per 100). */
  blocks(numbers: number[], transactions = false): Promise<(RpcBlock | null)[]> {
    return Promise.all(numbers.map((n) => this.block(n, transactions)));
  }

  logs(addresses: string[], fromBlock: number, toBlock: number): Promise<RpcLog[]> {
    return this.request<RpcLog[]>("eth_getLogs", [{ address: addresses, fromBlock: hex(fromBlock), toBlock: hex(toBlock) }]);
  }
}
