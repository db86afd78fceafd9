// Thin hook over contributionsQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { contributionsQueryOptions } from "../queries/contributions-query.ts";
import type { ContributionFilter } from "../actions/fetch-contributions.ts";
export function useContributions(filter: ContributionFilter) {
  return useQuery(contributionsQueryOptions(useAppConfig(), filter));
}
