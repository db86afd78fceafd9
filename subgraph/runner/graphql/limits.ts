// graph-node's query limits, with its defaults, its environment variables and its error texts:
// query depth (GRAPH_GRAPHQL_MAX_DEPTH, 255), `first` (GRAPH_GRAPHQL_MAX_FIRST, 1000), `skip`
// (GRAPH_GRAPHQL_MAX_SKIP, 2^32 − 1) and a per-query time budget (GRAPH_GRAPHQL_QUERY_TIMEOUT,
// seconds; graph-node has none unless set, the runner 10 s so a runaway query cannot stall it).
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";
import { RunnerError } from "../errors.ts";

export type QueryLimits = {
  maxDepth: number;
  maxFirst: number;
  maxSkip: number;
  /** Time budget of one query in milliseconds; null for none. */
  timeoutMs: number | null;
};

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 255, maxFirst: 1000, maxSkip: 4_294_967_295, timeoutMs: 10_000 };

/** graph-node's texts for the limits' errors (graph/src/data/query/error.rs). */
export const limitErrors = {
  tooDeep: (maxDepth: number) => `query has a depth that exceeds the limit of \`${maxDepth}\``,
  range: (arg: string, max: number, actual: unknown) => `The \`${arg}\` argument must be between 0 and ${max}, but is ${actual}`,
  timeout: () => "Query timed out",
};

/** Limits from graph-node's environment variables, each checked, over the defaults. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  const int = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === "") return undefined;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RunnerError(`${name}=${raw} is not a whole number from ${min} to ${max}.`, { code: "CONFIG_INVALID" });
    }
    return v;
  };
  const timeoutSeconds = int("GRAPH_GRAPHQL_QUERY_TIMEOUT", 1, 3600);
  return {
    maxDepth: int("GRAPH_GRAPHQL_MAX_DEPTH", 1, 255) ?? DEFAULT_QUERY_LIMITS.maxDepth,
    maxFirst: int("GRAPH_GRAPHQL_MAX_FIRST", 1, 4_294_967_295) ?? DEFAULT_QUERY_LIMITS.maxFirst,
    maxSkip: int("GRAPH_GRAPHQL_MAX_SKIP", 0, 4_294_967_295) ?? DEFAULT_QUERY_LIMITS.maxSkip,
    timeoutMs: timeoutSeconds === undefined ? DEFAULT_QUERY_LIMITS.timeoutMs : timeoutSeconds * 1000,
  };
}

/**
 * The depth of the deepest field of an operation: `{ a { b { c } } }` is 3. Fragments count
 * where they are spread; a fragment spread inside itself (invalid GraphQL) stops the descent.
 */
export function queryDepth(document: DocumentNode, operationName?: string): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    let max = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) max = Math.max(max, 1 + depthOf(s.selectionSet, seen));
      else if (s.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, depthOf(s.selectionSet, seen));
      else if (!seen.has(s.name.value)) {
        max = Math.max(max, depthOf(fragments.get(s.name.value)?.selectionSet, new Set(seen).add(s.name.value)));
      }
    }
    return max;
  };
  let max = 0;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && d.name?.value !== operationName) continue;
    max = Math.max(max, depthOf(d.selectionSet, new Set()));
  }
  return max;
}

/** A query's clock: `check()` throws graph-node's timeout error once the budget is spent. */
export class QueryBudget {
  private readonly deadline: number;
  expired = false;

  constructor(timeoutMs: number | null, now = performance.now()) {
    this.deadline = timeoutMs === null ? Number.POSITIVE_INFINITY : now + timeoutMs;
  }

  check(): void {
    if (this.expired || performance.now() >= this.deadline) {
      this.expired = true;
      throw new GraphQLError(limitErrors.timeout());
    }
  }
}
