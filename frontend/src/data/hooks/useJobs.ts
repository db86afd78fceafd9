// Thin hook over jobsQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { jobsQueryOptions } from "../queries/jobs-query.ts";

export function useJobs(builder?: string) {
  return useQuery(jobsQueryOptions(useAppConfig(), builder));
}
