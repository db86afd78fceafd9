// Thin hook over contentJsonQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { contentJsonQueryOptions } from "../queries/content-json-query.ts";

export function useContentJson<T>(uri: string | null | undefined) {
  return useQuery(contentJsonQueryOptions<T>(useAppConfig(), uri));
}
