// Thin hook over datanetsQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { datanetsQueryOptions } from "../queries/datanets-query.ts";

export function useDatanets() {
  return useQuery(datanetsQueryOptions(useAppConfig()));
}
