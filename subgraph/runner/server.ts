// The GraphQL endpoint on loopback: POST (or GET ?query=) to /graphql or graph-node's
// /subgraphs/name/<name>. Bad requests get a JSON error, never a crash.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { execute, GraphQLError, Kind, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import type { Indexer } from "./indexer.ts";
import { QueryEngine } from "./graphql/query.ts";
import { DEFAULT_QUERY_LIMITS, limitErrors, queryDepth, type QueryLimits } from "./graphql/limits.ts";
import type { FilterKeyMap } from "./graphql/filters.ts";
import type { QueryContext } from "./graphql/schema.ts";

const MAX_BODY = 1 << 20;

export type GraphQLServerOptions = {
  indexer: Indexer;
  schema: GraphQLSchema;
  keyMaps: Map<string, FilterKeyMap>;
  port: number;
  host?: string;
  /** graph-node's query limits; its defaults when omitted. */
  limits?: QueryLimits;
};

export type GraphQLServer = { url: string; port: number; server: Server; close: () => Promise<void> };

export type GraphQLRequest = { query?: unknown; variables?: unknown; operationName?: unknown };
export type GraphQLResponse = { data?: unknown; errors?: { message: string; locations?: unknown; path?: unknown }[] };

const error = (message: string): GraphQLResponse => ({ errors: [{ message }] });

/** Executes one GraphQL request against the indexed store. */
export async function runQuery(options: Omit<GraphQLServerOptions, "port" | "host">, request: GraphQLRequest): Promise<GraphQLResponse> {
  if (typeof request.query !== "string" || request.query.trim() === "") return error("The request has no `query` string.");
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (e) {
    return { errors: [(e as GraphQLError).toJSON()] };
  }
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION && def.operation !== "query") {
      return error(
        `${def.operation[0]!.toUpperCase()}${def.operation.slice(1)}s are not supported: the subgraph GraphQL API (graph-node and the local runner) only answers queries.`,
      );
    }
  }
  const validation = validate(options.schema, document);
  if (validation.length > 0) return { errors: validation.map((e) => e.toJSON()) };
  const limits = options.limits ?? DEFAULT_QUERY_LIMITS;
  const operationName = typeof request.operationName === "string" ? request.operationName : undefined;
  if (queryDepth(document, operationName) > limits.maxDepth) return error(limitErrors.tooDeep(limits.maxDepth));
  if (request.variables !== undefined && request.variables !== null && typeof request.variables !== "object") {
    return error("`variables` must be a JSON object.");
  }
  const status = options.indexer.status();
  const context: QueryContext = {
    engine: new QueryEngine(options.indexer.store, options.indexer.schema, options.keyMaps, limits),
    meta: {
      block: status.cursor,
      deployment: options.indexer.fingerprint,
      error: status.error,
    },
  };
  const result = await execute({
    schema: options.schema,
    document,
    contextValue: context,
    variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName,
  });
  // As graph-node: a query over its budget answers the timeout alone, not partial data.
  if (context.engine.budget.expired) return error(limitErrors.timeout());
  const out: GraphQLResponse = { data: result.data ?? null };
  if (result.errors?.length) out.errors = result.errors.map((e) => e.toJSON());
  return out;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "access-control-allow-origin": "*",
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error(`Request body is larger than ${MAX_BODY} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function startGraphQLServer(options: GraphQLServerOptions): Promise<GraphQLServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", `http://${host}`);
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "access-control-allow-origin": "*",
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-headers": "content-type",
        });
        return res.end();
      }
      const path = url.pathname.replace(/\/+$/, "") || "/";
      if (!(path === "/" || path === "/graphql" || path.startsWith("/subgraphs/name/") || path.startsWith("/subgraphs/id/"))) {
        return send(res, 404, error(`No GraphQL endpoint at ${path}; use /graphql or /subgraphs/name/<name>.`));
      }
      let request: GraphQLRequest;
      if (req.method === "GET") {
        if (!url.searchParams.has("query")) {
          return send(res, 200, {
            message: 'ModelFactory subgraph (local runner). POST {"query": "…"} here.',
            status: options.indexer.status(),
          });
        }
        const variables = url.searchParams.get("variables");
        request = { query: url.searchParams.get("query"), variables: variables ? JSON.parse(variables) : undefined };
      } else if (req.method === "POST") {
        const text = await readBody(req);
        try {
          request = JSON.parse(text) as GraphQLRequest;
        } catch (e) {
          return send(res, 400, error(`Malformed JSON body: ${(e as Error).message}`));
        }
        if (!request || typeof request !== "object") return send(res, 400, error("The body must be a JSON object."));
      } else {
        return send(res, 405, error(`Method ${req.method} is not allowed; use POST.`));
      }
      const result = await runQuery(options, request);
      send(res, result.data === undefined && result.errors ? 400 : 200, result);
    } catch (e) {
      send(res, 500, error(`Internal error: ${(e as Error).message}`));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
