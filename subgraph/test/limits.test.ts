// graph-node's query limits in the runner: depth, `first`, `skip` and the per-query time
// budget, each refused with graph-node's own error text, on a real indexed chain.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "graphql";
import { buildGraphQLSchema } from "../runner/graphql/schema.ts";
import { DEFAULT_QUERY_LIMITS, limitsFromEnv, queryDepth, type QueryLimits } from "../runner/graphql/limits.ts";
import { runQuery } from "../runner/server.ts";
import { gql } from "./helpers/graphql.ts";
import { indexedScenario, type Indexed } from "./helpers/fixture.ts";

describe("queryDepth", () => {
  it("counts nested fields, through fragments and inline fragments, for the chosen operation", () => {
    assert.equal(queryDepth(parse("{ a }")), 1);
    assert.equal(queryDepth(parse("{ a { b { c } } d }")), 3);
    assert.equal(queryDepth(parse("query { a { ...F } } fragment F on T { b { c { d } } }")), 4);
    assert.equal(queryDepth(parse("{ a { ... on T { b } } }")), 2);
    assert.equal(queryDepth(parse("query X { a } query Y { a { b } }"), "X"), 1);
    // A fragment spread inside itself is invalid GraphQL; the count still ends.
    assert.equal(queryDepth(parse("{ a { ...F } } fragment F on T { b { ...F } }")), 2);
  });
});

describe("limitsFromEnv", () => {
  it("reads graph-node's variables over graph-node's defaults and names a bad value", () => {
    assert.deepEqual(limitsFromEnv({}), DEFAULT_QUERY_LIMITS);
    assert.deepEqual(limitsFromEnv({ GRAPH_GRAPHQL_MAX_DEPTH: "10", GRAPH_GRAPHQL_MAX_FIRST: "100", GRAPH_GRAPHQL_QUERY_TIMEOUT: "2" }), {
      ...DEFAULT_QUERY_LIMITS,
      maxDepth: 10,
      maxFirst: 100,
      timeoutMs: 2000,
    });
    assert.throws(
      () => limitsFromEnv({ GRAPH_GRAPHQL_MAX_DEPTH: "300" }),
      /GRAPH_GRAPHQL_MAX_DEPTH=300 is not a whole number from 1 to 255/,
    );
    assert.throws(() => limitsFromEnv({ GRAPH_GRAPHQL_QUERY_TIMEOUT: "soon" }), /GRAPH_GRAPHQL_QUERY_TIMEOUT=soon/);
  });
});

describe("limits on a served query", () => {
  let ix: Indexed;
  let query: (q: string, limits: QueryLimits) => ReturnType<typeof runQuery>;
  before(async () => {
    ix = await indexedScenario();
    const { schema, keyMaps } = buildGraphQLSchema(ix.runner.indexer.schema);
    query = (q, limits) => runQuery({ indexer: ix.runner.indexer, schema, keyMaps, limits }, { query: q });
  });
  after(async () => {
    await ix?.close();
  });

  it("refuses a query deeper than the limit before running it; graph-node's 255 by default", async () => {
    const limits = { ...DEFAULT_QUERY_LIMITS, maxDepth: 3 };
    assert.equal((await query("{ datanets { owner { id } } }", limits)).errors, undefined);
    assert.deepEqual(await query("{ datanets { owner { datanetsOwned { id } } } }", limits), {
      errors: [{ message: "query has a depth that exceeds the limit of `3`" }],
    });
    // Over HTTP with the defaults: 256 levels (Datanet → owner → datanets → …) is one too many.
    let q = "id";
    for (let i = 0; i < 127; i++) q = `owner { datanetsOwned(first: 1) { ${q} } }`;
    const deep = await gql(ix.url, `{ datanets(first: 1) { ${q} } }`);
    assert.deepEqual(
      deep.errors?.map((e) => e.message),
      ["query has a depth that exceeds the limit of `255`"],
    );
  });

  it("applies the first and skip limits it is given, in graph-node's words", async () => {
    const limits = { ...DEFAULT_QUERY_LIMITS, maxFirst: 2, maxSkip: 5 };
    assert.equal((await query("{ datanets(first: 2, skip: 5) { id } }", limits)).errors, undefined);
    assert.match(
      (await query("{ datanets(first: 3) { id } }", limits)).errors?.[0]?.message ?? "",
      /^The `first` argument must be between 0 and 2, but is 3$/,
    );
    assert.match(
      (await query("{ datanets(first: 2, skip: 6) { id } }", limits)).errors?.[0]?.message ?? "",
      /^The `skip` argument must be between 0 and 5, but is 6$/,
    );
  });

  it("answers a query over its time budget with graph-node's timeout error alone, no partial data", async () => {
    assert.deepEqual(await query("{ datanets { id } contributions { id } }", { ...DEFAULT_QUERY_LIMITS, timeoutMs: 0 }), {
      errors: [{ message: "Query timed out" }],
    });
    const ok = await query("{ datanets { id } }", DEFAULT_QUERY_LIMITS);
    assert.ok((ok.data as { datanets: unknown[] }).datanets.length > 0);
  });
});
