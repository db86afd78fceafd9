// Query options for fetchModel: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchModel } from "../actions/fetch-models.ts";

export function modelQueryOptions(config: AppConfig, id: string) {
  return queryOptions({ queryKey: ["model", id] as const, queryFn: () => fetchModel(config, id) });
}
