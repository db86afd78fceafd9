// Thin hook over citationsQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { citationsQueryOptions } from "../queries/citations-query.ts";

export function useCitations(where: Record<string, unknown>) {
  return useQuery(citationsQueryOptions(useAppConfig(), where));
}
