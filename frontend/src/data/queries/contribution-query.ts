// Query options for one contribution; polls until the index has it (status following).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchContribution } from "../actions/fetch-contributions.ts";

export function contributionQueryOptions(config: AppConfig, id: string | null) {
  return queryOptions({
    queryKey: ["contribution", id] as const,
    queryFn: () => fetchContribution(config, id!),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data ? false : 1000),
  });
}
