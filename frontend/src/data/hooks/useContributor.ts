// Thin hook over contributorQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { contributorQueryOptions } from "../queries/contributor-query.ts";

export function useContributor(address: string) {
  return useQuery(contributorQueryOptions(useAppConfig(), address));
}
