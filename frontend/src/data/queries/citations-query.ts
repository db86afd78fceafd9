// Query options for fetchCitations: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchCitations } from "../actions/fetch-citations.ts";

export function citationsQueryOptions(config: AppConfig, where: Record<string, unknown>) {
  return queryOptions({ queryKey: ["citations", where] as const, queryFn: () => fetchCitations(config, where) });
}
