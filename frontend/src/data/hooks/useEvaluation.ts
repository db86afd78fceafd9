// Thin hook over evaluationQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { evaluationQueryOptions } from "../queries/evaluation-query.ts";

export function useEvaluation(jobId: string, nodeUrl: string | null, metricsURI: string | null) {
  return useQuery(evaluationQueryOptions(useAppConfig(), jobId, nodeUrl, metricsURI));
}
