// The WriteContext of the current wallet, app and caches, for the write hooks.
import { useMemo } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useAccount, useConfig } from "wagmi";
import { useAppConfig } from "../../config/context.tsx";
import { useToasts } from "../../ui/toasts.tsx";
import type { WriteContext } from "../mutations/protocol-write-mutation.ts";

export function useWriteContext(): WriteContext {
  const wagmi = useConfig();
  const app = useAppConfig();
  const toasts = useToasts();
  const queryClient = useQueryClient();
  const { address, chainId } = useAccount();
  return useMemo(
    () => ({ wagmi, app, toasts, queryClient, account: address, chainId }),
    [wagmi, app, toasts, queryClient, address, chainId],
  );
}
