// Query options for fetchDatanets: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchDatanets } from "../actions/fetch-datanets.ts";

export function datanetsQueryOptions(config: AppConfig) {
  return queryOptions({ queryKey: ["datanets"] as const, queryFn: () => fetchDatanets(config), staleTime: 5_000 });
}
