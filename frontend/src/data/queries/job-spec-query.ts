// Query options for a job's training spec; content-addressed, so never stale.
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchJobSpec } from "../actions/fetch-job-spec.ts";

export function jobSpecQueryOptions(config: AppConfig, specURI: string | null | undefined) {
  return queryOptions({
    queryKey: ["job-spec", specURI ?? null] as const,
    queryFn: () => fetchJobSpec(config, specURI!),
    enabled: !!specURI,
    staleTime: Infinity,
    retry: false,
  });
}
