// Query options for fetchContributor: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchContributor } from "../actions/fetch-contributor.ts";

export function contributorQueryOptions(config: AppConfig, address: string) {
  return queryOptions({ queryKey: ["contributor", address.toLowerCase()] as const, queryFn: () => fetchContributor(config, address) });
}
