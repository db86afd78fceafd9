// Thin hook over servedModelsQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { servedModelsQueryOptions } from "../queries/served-models-query.ts";

export function useServedModels(node: string | null, token: string | null | undefined) {
  return useQuery(servedModelsQueryOptions(node, token));
}
