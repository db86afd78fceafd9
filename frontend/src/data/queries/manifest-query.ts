// Query options for a model's training manifest document.
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchManifest } from "../actions/fetch-manifest.ts";

export function manifestQueryOptions(config: AppConfig, jobId: string | null, nodeUrl: string | null, manifestURI: string | null) {
  return queryOptions({
    queryKey: ["manifest", jobId, nodeUrl, manifestURI] as const,
    queryFn: () => fetchManifest(config, jobId!, nodeUrl, manifestURI),
    enabled: jobId !== null && (nodeUrl !== null || manifestURI !== null),
    staleTime: Infinity,
  });
}
