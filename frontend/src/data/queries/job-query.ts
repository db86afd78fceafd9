// Query options for fetchJob: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchJob } from "../actions/fetch-jobs.ts";

export function jobQueryOptions(config: AppConfig, id: string) {
  return queryOptions({ queryKey: ["job", id] as const, queryFn: () => fetchJob(config, id), refetchInterval: 3_000 });
}
