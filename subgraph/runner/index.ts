// The local subgraph runner as a library: index a chain with the built mappings and serve
// The Graph's GraphQL dialect on loopback.
import type { Deployment } from "@modelfactory/sdk";
import { buildGraphQLSchema } from "./graphql/schema.ts";
import { Indexer, type IndexerOptions, type Logger } from "./indexer.ts";
import { startGraphQLServer, type GraphQLServer } from "./server.ts";
import type { QueryLimits } from "./graphql/limits.ts";

export { Indexer, LOCAL_POLL_MS, REMOTE_POLL_MS, type IndexerOptions, type Logger } from "./indexer.ts";
export { runQuery } from "./server.ts";
export { loadDeployment } from "./config.ts";
export { DEFAULT_QUERY_LIMITS, limitsFromEnv, type QueryLimits } from "./graphql/limits.ts";
export { RunnerError, MappingError } from "./errors.ts";

export type RunnerOptions = IndexerOptions & {
  deployment: Deployment;
  /** GraphQL port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** graph-node's query limits (depth, `first`, `skip`, time budget); its defaults when omitted. */
  queryLimits?: QueryLimits;
};

export type Runner = { indexer: Indexer; server: GraphQLServer; url: string; stop: () => Promise<void> };

/** Starts indexing in the background and serves GraphQL; `stop()` ends both and closes the store. */
export async function startRunner(options: RunnerOptions): Promise<Runner> {
  const indexer = await Indexer.create(options);
  const { schema, keyMaps } = buildGraphQLSchema(indexer.schema);
  const server = await startGraphQLServer({ indexer, schema, keyMaps, port: options.port, limits: options.queryLimits });
  indexer.start();
  return {
    indexer,
    server,
    url: server.url,
    stop: async () => {
      await indexer.stop();
      await server.close();
      indexer.close();
    },
  };
}

export type { GraphQLServer };
export type { Logger as RunnerLogger };
