// Mutation options for any protocol write: the action builds and validates the typed
// transaction, then simulate → wallet → pending → confirmed/failed, each step in one toast,
// and the cache is invalidated (now and once more when the index has caught up).
import { mutationOptions, type QueryClient } from "@tanstack/react-query";
import type { Config } from "wagmi";
import type { Address, TransactionReceipt } from "viem";
import type { AppConfig } from "../../config/app-config.ts";
import type { ProtocolContract } from "../../lib/contracts.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { shortHex } from "../../ui/format.ts";
import type { ToastApi } from "../../ui/toasts.tsx";
import { sendProtocolWrite } from "../actions/send-protocol-write.ts";
import type { LabelledWrite, WriteFunctionName } from "../writes/protocol-write.ts";

/** What a write needs from the app: passed in, so the options work outside React too. */
export type WriteContext = {
  wagmi: Config;
  app: AppConfig;
  account: Address | undefined;
  chainId: number | undefined;
  toasts: ToastApi;
  queryClient: QueryClient;
};

const TOASTED = new WeakSet<object>();

/** Whether a write's error was already shown in a toast (so callers do not repeat it). */
export function alreadyToasted(error: unknown): boolean {
  return !!error && typeof error === "object" && TOASTED.has(error);
}

/** How long after a confirmed write the cache is refreshed again: the index trails the chain. */
export const INDEX_CATCH_UP_MS = 2000;

export function protocolWriteMutationOptions<P, C extends ProtocolContract, F extends WriteFunctionName<C>>(
  ctx: WriteContext,
  name: string,
  action: (params: P) => LabelledWrite<C, F>,
) {
  return mutationOptions<TransactionReceipt, Error, P>({
    mutationKey: ["write", name],
    mutationFn: async (params) => {
      let label = "";
      let id: number | null = null;
      try {
        const built = action(params);
        label = built.label;
        id = ctx.toasts.show({ kind: "pending", title: label, body: "Confirm in your wallet…" });
        const toastId = id;
        const receipt = await sendProtocolWrite(ctx.wagmi, ctx.app, {
          write: built.write,
          account: ctx.account,
          chainId: ctx.chainId,
          onHash: (hash) => ctx.toasts.update(toastId, { kind: "pending", title: label, body: `Pending: transaction ${shortHex(hash)}` }),
        });
        ctx.toasts.update(toastId, {
          kind: "success",
          title: `${label}: confirmed`,
          body: `Block ${receipt.blockNumber} · ${shortHex(receipt.transactionHash)}`,
        });
        void ctx.queryClient.invalidateQueries();
        setTimeout(() => void ctx.queryClient.invalidateQueries(), INDEX_CATCH_UP_MS);
        return receipt;
      } catch (error) {
        // A refused input never reached the wallet: say so rather than "failed".
        if (id === null) ctx.toasts.show({ kind: "error", title: "Transaction not sent", body: errorSentence(error) });
        else ctx.toasts.update(id, { kind: "error", title: `${label}: failed`, body: errorSentence(error) });
        if (error && typeof error === "object") TOASTED.add(error);
        throw error;
      }
    },
  });
}
