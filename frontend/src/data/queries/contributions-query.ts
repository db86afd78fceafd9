// Query options for fetchContributions: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchContributions, type ContributionFilter } from "../actions/fetch-contributions.ts";

export function contributionsQueryOptions(config: AppConfig, filter: ContributionFilter) {
  return queryOptions({ queryKey: ["contributions", filter] as const, queryFn: () => fetchContributions(config, filter) });
}
