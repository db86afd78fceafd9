// Query options for on-chain access checks of one account over many Datanets.
import { queryOptions } from "@tanstack/react-query";
import type { Address } from "viem";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchTrainAccess } from "../actions/fetch-train-access.ts";

export function trainAccessQueryOptions(config: AppConfig, account: Address | undefined, datanetIds: string[], scope?: number) {
  return queryOptions({
    queryKey: ["access", account?.toLowerCase() ?? null, datanetIds, scope ?? 1] as const,
    queryFn: () => fetchTrainAccess(config, account!, datanetIds, scope),
    enabled: account !== undefined && datanetIds.length > 0,
  });
}
