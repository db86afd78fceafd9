// Thin hook over trainerNodesQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { trainerNodesQueryOptions } from "../queries/trainer-nodes-query.ts";

export function useTrainerNodes() {
  return useQuery(trainerNodesQueryOptions(useAppConfig()));
}
