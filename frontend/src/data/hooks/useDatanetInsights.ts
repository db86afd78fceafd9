// Thin hook over datanetInsightsQueryOptions; reads only when `enabled` (the viewer approves the Datanet).
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { datanetInsightsQueryOptions } from "../queries/datanet-insights-query.ts";

export function useDatanetInsights(datanetId: string, enabled: boolean) {
  return useQuery(datanetInsightsQueryOptions(useAppConfig(), datanetId, enabled));
}
