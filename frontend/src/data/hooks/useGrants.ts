// Thin hook over grantsQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { grantsQueryOptions } from "../queries/grants-query.ts";
import type { GrantsFilter } from "../actions/fetch-grants.ts";
export function useGrants(filter: GrantsFilter) {
  return useQuery(grantsQueryOptions(useAppConfig(), filter));
}
