// Query options for fetchJobs: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchJobs } from "../actions/fetch-jobs.ts";

export function jobsQueryOptions(config: AppConfig, builder?: string) {
  return queryOptions({ queryKey: ["jobs", builder ?? null] as const, queryFn: () => fetchJobs(config, builder), refetchInterval: 5_000 });
}
