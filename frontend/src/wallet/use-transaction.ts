// Sends a protocol transaction with a toast that follows it: waiting for the wallet, pending
// (with its hash), confirmed (block) or failed (one sentence). Simulates first, so a revert
// is explained before the wallet is even asked.
import { useCallback } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useAccount, useConfig } from "wagmi";
import { simulateContract, waitForTransactionReceipt, writeContract } from "wagmi/actions";
import type { TransactionReceipt } from "viem";
import { useAppConfig } from "../config/context.tsx";
import { contract, type ProtocolContract } from "../lib/contracts.ts";
import { errorSentence } from "../lib/error-sentence.ts";
import { useToasts } from "../ui/toasts.tsx";
import { shortHex } from "../ui/format.ts";

const TOASTED = new WeakSet<object>();

/** Whether a transaction error was already shown in a toast (so callers do not repeat it). */
export function alreadyToasted(error: unknown): boolean {
  return !!error && typeof error === "object" && TOASTED.has(error);
}

export type TransactionRequest = { contract: ProtocolContract; functionName: string; args: readonly unknown[] };

export function useTransaction() {
  const wagmi = useConfig();
  const app = useAppConfig();
  const toasts = useToasts();
  const queryClient = useQueryClient();
  const { address, chainId } = useAccount();

  return useCallback(
    async (label: string, request: TransactionRequest): Promise<TransactionReceipt> => {
      const id = toasts.show({ kind: "pending", title: label, body: "Confirm in your wallet…" });
      try {
        if (!address) throw new Error("Connect a wallet first.");
        if (chainId !== app.chainId) throw new Error(`Your wallet is on another network; switch to ${app.chainName}.`);
        const { request: prepared } = await simulateContract(wagmi, {
          ...contract(app, request.contract),
          functionName: request.functionName,
          args: request.args,
          account: address,
        } as never);
        const hash = await writeContract(wagmi, prepared as never);
        toasts.update(id, { kind: "pending", title: label, body: `Pending: transaction ${shortHex(hash)}` });
        const receipt = await waitForTransactionReceipt(wagmi, { hash });
        if (receipt.status !== "success") throw new Error(`Transaction ${shortHex(hash)} reverted.`);
        toasts.update(id, { kind: "success", title: `${label}: confirmed`, body: `Block ${receipt.blockNumber} · ${shortHex(hash)}` });
        // The index trails the chain: refresh now and once more shortly after.
        void queryClient.invalidateQueries();
        setTimeout(() => void queryClient.invalidateQueries(), 2000);
        return receipt;
      } catch (error) {
        toasts.update(id, { kind: "error", title: `${label}: failed`, body: errorSentence(error) });
        if (error && typeof error === "object") TOASTED.add(error);
        throw error;
      }
    },
    [wagmi, app, toasts, queryClient, address, chainId],
  );
}
