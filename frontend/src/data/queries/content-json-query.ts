// Query options for a stored JSON document; content-addressed, so never stale.
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchContentJson } from "../actions/fetch-content-json.ts";

export function contentJsonQueryOptions<T>(config: AppConfig, uri: string | null | undefined) {
  return queryOptions({
    queryKey: ["content-json", uri ?? null] as const,
    queryFn: () => fetchContentJson<T>(config, uri!),
    enabled: !!uri && (uri.startsWith("ipfs://") || /^(bafy|bafk|Qm)/.test(uri)),
    staleTime: Infinity,
    retry: false,
  });
}
