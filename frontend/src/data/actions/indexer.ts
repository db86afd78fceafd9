// The one place actions reach the subgraph from.
import type { AppConfig } from "../../config/app-config.ts";
import { graphqlRequest } from "../../lib/graphql.ts";

export function indexerQuery<T>(config: AppConfig, query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  return graphqlRequest<T>({ url: config.graphqlUrl, query, ...(variables ? { variables } : {}), ...(signal ? { signal } : {}) });
}
