// Query options for fetchTrainerNodes: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchTrainerNodes } from "../actions/fetch-trainer-nodes.ts";

export function trainerNodesQueryOptions(config: AppConfig) {
  return queryOptions({ queryKey: ["trainer-nodes"] as const, queryFn: () => fetchTrainerNodes(config), staleTime: 10_000 });
}
