// Query options for a job's evaluation report.
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchEvaluation } from "../actions/fetch-evaluation.ts";

export function evaluationQueryOptions(config: AppConfig, jobId: string, nodeUrl: string | null, metricsURI: string | null) {
  return queryOptions({
    queryKey: ["evaluation", jobId, nodeUrl, metricsURI] as const,
    queryFn: () => fetchEvaluation(config, jobId, nodeUrl, metricsURI),
    staleTime: Infinity,
  });
}
