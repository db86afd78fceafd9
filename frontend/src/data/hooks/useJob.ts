// Thin hook over jobQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { jobQueryOptions } from "../queries/job-query.ts";

export function useJob(id: string) {
  return useQuery(jobQueryOptions(useAppConfig(), id));
}
