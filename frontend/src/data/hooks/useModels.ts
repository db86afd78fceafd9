// Thin hook over modelsQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { modelsQueryOptions } from "../queries/models-query.ts";

export function useModels(where: Record<string, unknown> = {}) {
  return useQuery(modelsQueryOptions(useAppConfig(), where));
}
