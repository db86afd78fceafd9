// Query options for the data insights of the models trained on one Datanet.
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchDatanetInsights } from "../actions/fetch-datanet-insights.ts";

export function datanetInsightsQueryOptions(config: AppConfig, datanetId: string, enabled: boolean) {
  return queryOptions({
    queryKey: ["datanet-insights", datanetId] as const,
    queryFn: () => fetchDatanetInsights(config, datanetId),
    enabled,
    staleTime: 60_000,
  });
}
