// Thin hook over jobSpecQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { jobSpecQueryOptions } from "../queries/job-spec-query.ts";

export function useJobSpec(specURI: string | null | undefined) {
  return useQuery(jobSpecQueryOptions(useAppConfig(), specURI));
}
