// Thin hook over modelQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { modelQueryOptions } from "../queries/model-query.ts";

export function useModel(id: string) {
  return useQuery(modelQueryOptions(useAppConfig(), id));
}
