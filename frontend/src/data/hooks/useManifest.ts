// Thin hook over manifestQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { manifestQueryOptions } from "../queries/manifest-query.ts";

export function useManifest(jobId: string | null, nodeUrl: string | null, manifestURI: string | null) {
  return useQuery(manifestQueryOptions(useAppConfig(), jobId, nodeUrl, manifestURI));
}
