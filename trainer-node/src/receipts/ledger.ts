// The batcher's chain side over viem: `postBatch` sends `AttributionLedger.postBatch` and waits
// for it, `findPostedBatch` finds an earlier post of the same root in the ledger's events, so a
// batch whose outcome was unknown is not posted twice.
import { attributionLedgerAbi } from "@modelfactory/sdk";
import { parseEventLogs, type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";
import type { PostBatchRequest, PostedBatch } from "./batcher.ts";
import { BatchPostError } from "./errors.ts";

export type LedgerPosterOptions = {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  /** The AttributionLedger address. */
  address: Address;
  /** First block to search for earlier posts (the deployment block). Default 0. */
  fromBlock?: bigint;
  /** Runs a submission in turn with the account's other transactions (Chain.submitted). Default: at once. */
  submitted?: <T>(submit: () => Promise<T>) => Promise<T>;
};

/**
 * `postBatch` and `findPostedBatch` for ReceiptBatcher, sending from the wallet's account.
 * @example
 * const batcher = await ReceiptBatcher.open({ dataDir, contentStore, ...attributionLedgerPoster({ publicClient, walletClient, address }) })
 */
export function attributionLedgerPoster(options: LedgerPosterOptions): {
  postBatch: (request: PostBatchRequest) => Promise<PostedBatch>;
  findPostedBatch: (request: PostBatchRequest) => Promise<PostedBatch | null>;
} {
  const { publicClient, walletClient, address } = options;
  const submitted = options.submitted ?? (<T>(submit: () => Promise<T>) => submit());
  const trainer = walletClient.account.address;
  return {
    async postBatch(r) {
      const hash = await submitted(() =>
        walletClient.writeContract({
          address,
          abi: attributionLedgerAbi,
          functionName: "postBatch",
          args: [r.modelId, r.root, r.receiptsURI, r.receiptCount, r.citations],
          account: walletClient.account,
          chain: walletClient.chain,
        }),
      );
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success")
        throw new BatchPostError(`The postBatch transaction ${hash} reverted.`, { meta: { transactionHash: hash } });
      const [event] = parseEventLogs({ abi: attributionLedgerAbi, logs: receipt.logs, eventName: "AttributionBatchPosted" });
      if (!event) throw new BatchPostError(`The postBatch transaction ${hash} emitted no AttributionBatchPosted event.`);
      return { batchId: event.args.batchId, transactionHash: hash };
    },
    async findPostedBatch(r) {
      const events = await publicClient.getContractEvents({
        address,
        abi: attributionLedgerAbi,
        eventName: "AttributionBatchPosted",
        args: { modelId: r.modelId, trainer },
        fromBlock: options.fromBlock ?? 0n,
        toBlock: "latest",
      });
      const hit = events.find((e) => e.args.receiptsRoot?.toLowerCase() === r.root.toLowerCase());
      return hit && hit.args.batchId !== undefined ? { batchId: hit.args.batchId, transactionHash: hit.transactionHash } : null;
    },
  };
}
