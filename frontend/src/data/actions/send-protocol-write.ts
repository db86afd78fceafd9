// Sends one protocol transaction: simulate (so a revert is explained before the wallet is
// asked), write, wait for its receipt. Plain async: the mutation layer adds toasts and cache
// invalidation.
import type { Config } from "wagmi";
import { simulateContract, waitForTransactionReceipt, writeContract } from "wagmi/actions";
import type { Abi, Address, Hash, TransactionReceipt } from "viem";
import type { AppConfig } from "../../config/app-config.ts";
import { contract, type ProtocolContract } from "../../lib/contracts.ts";
import { shortHex } from "../../ui/format.ts";
import type { ProtocolWrite, WriteFunctionName } from "../writes/protocol-write.ts";

export type SendProtocolWriteParams<C extends ProtocolContract, F extends WriteFunctionName<C>> = {
  write: ProtocolWrite<C, F>;
  account: Address | undefined;
  /** The wallet's chain, checked against the app's. */
  chainId: number | undefined;
  /** Called once the wallet has signed and sent, with the transaction hash. */
  onHash?: (hash: Hash) => void;
};

export async function sendProtocolWrite<C extends ProtocolContract, F extends WriteFunctionName<C>>(
  wagmi: Config,
  app: AppConfig,
  { write, account, chainId, onHash }: SendProtocolWriteParams<C, F>,
): Promise<TransactionReceipt> {
  if (!account) throw new Error("Connect a wallet first.");
  if (chainId !== app.chainId) throw new Error(`Your wallet is on another network; switch to ${app.chainName}.`);
  // The write's types were checked where it was built (ProtocolWrite); here it is widened,
  // without a cast, to the plain ABI-call shape wagmi takes for any ABI.
  const { address, abi } = contract(app, write.contract);
  const call: { abi: Abi; functionName: string; args: readonly unknown[] } = { abi, functionName: write.functionName, args: write.args };
  const { request } = await simulateContract(wagmi, { address, ...call, account });
  const hash = await writeContract(wagmi, request);
  onHash?.(hash);
  const receipt = await waitForTransactionReceipt(wagmi, { hash });
  if (receipt.status !== "success") throw new Error(`Transaction ${shortHex(hash)} reverted.`);
  return receipt;
}
