// Query options for fetchDatanet: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchDatanet } from "../actions/fetch-datanet.ts";

export function datanetQueryOptions(config: AppConfig, id: string) {
  return queryOptions({ queryKey: ["datanet", id] as const, queryFn: () => fetchDatanet(config, id) });
}
