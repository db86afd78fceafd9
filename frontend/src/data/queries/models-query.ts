// Query options for fetchModels: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchModels } from "../actions/fetch-models.ts";

export function modelsQueryOptions(config: AppConfig, where: Record<string, unknown> = {}) {
  return queryOptions({ queryKey: ["models", where] as const, queryFn: () => fetchModels(config, where) });
}
