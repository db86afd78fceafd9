// Query options for fetchGrants: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchGrants, type GrantsFilter } from "../actions/fetch-grants.ts";

export function grantsQueryOptions(config: AppConfig, filter: GrantsFilter) {
  return queryOptions({ queryKey: ["grants", filter] as const, queryFn: () => fetchGrants(config, filter) });
}
