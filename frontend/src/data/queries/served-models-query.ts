// Query options for the models a trainer node serves to a signed-in caller (GET /v1/models).
import { queryOptions } from "@tanstack/react-query";
import { trainerApi } from "../../lib/trainer-api.ts";

export function servedModelsQueryOptions(node: string | null, token: string | null | undefined) {
  return queryOptions({
    queryKey: ["served-models", node, token ?? null] as const,
    queryFn: () => trainerApi.models(node!, token!),
    enabled: !!node && !!token,
  });
}
