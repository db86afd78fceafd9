// Thin hook over jobQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { jobQueryOptions } from "../queries/job-query.ts";

/** `follow: false` reads the job once (no 3 s refresh); `enabled: false` reads nothing. */
export function useJob(id: string, { enabled = true, follow = true }: { enabled?: boolean; follow?: boolean } = {}) {
  return useQuery({ ...jobQueryOptions(useAppConfig(), id), enabled, ...(follow ? {} : { refetchInterval: false as const }) });
}
