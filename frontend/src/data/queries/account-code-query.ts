// Query options for fetchAccountCode; code rarely changes, so it stays fresh for a minute.
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchAccountCode } from "../actions/fetch-account-code.ts";

export function accountCodeQueryOptions(config: AppConfig, account: string) {
  return queryOptions({
    queryKey: ["code", account.toLowerCase()] as const,
    queryFn: () => fetchAccountCode(config, account),
    staleTime: 60_000,
  });
}
