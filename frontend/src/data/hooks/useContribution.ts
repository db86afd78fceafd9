// Thin hook over contributionQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { contributionQueryOptions } from "../queries/contribution-query.ts";

export function useContribution(id: string | null) {
  return useQuery(contributionQueryOptions(useAppConfig(), id));
}
