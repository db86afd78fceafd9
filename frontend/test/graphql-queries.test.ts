// @vitest-environment node
// Every GraphQL query string of the GUI, validated against the schema the subgraph runner
// serves (subgraph/schema.graphql through the runner's own schema builder), so a misspelt
// field, filter, enum value or variable type fails here, not in a user's browser. Queries are
// found in the source: the query argument of every indexerQuery(…) / graphqlRequest({ query })
// call, and any other literal that starts like an operation; `${NAME}` parts must be the shared
// selections of src/data/fields.ts (anything else would splice a value into the query text).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import ts from "typescript";
import { parse, validate, type GraphQLSchema } from "graphql";
import { parseSchemaModel } from "../../subgraph/runner/schema/model.ts";
import { buildGraphQLSchema } from "../../subgraph/runner/graphql/schema.ts";
import * as FIELDS from "../src/data/fields.ts";

const SRC = path.resolve(import.meta.dirname, "../src");
const SCHEMA_FILE = path.resolve(import.meta.dirname, "../../subgraph/schema.graphql");
const OPERATION = /^\s*(query|mutation|subscription)\b/;

type Found = { file: string; line: number; text: string | null; problem: string | null };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(e.name) ? [full] : [];
  });
}

/** The text of a string or template literal, with `${FIELD}` parts filled from fields.ts. */
function literalText(node: ts.Expression, sf: ts.SourceFile): { text: string | null; problem: string | null } {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { text: node.text, problem: null };
  if (ts.isTemplateExpression(node)) {
    let text = node.head.text;
    for (const span of node.templateSpans) {
      const name = span.expression.getText(sf);
      const value = ts.isIdentifier(span.expression) ? (FIELDS as Record<string, unknown>)[name] : undefined;
      if (typeof value !== "string")
        return {
          text: null,
          problem: `the query splices \`\${${name}}\` into its text; pass values as GraphQL variables and selections from src/data/fields.ts`,
        };
      text += value + span.literal.text;
    }
    return { text, problem: null };
  }
  return { text: null, problem: `the query is not a literal (${node.getText(sf).slice(0, 60)}); write it where it is sent` };
}

function findQueries(file: string): Found[] {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const seen = new Set<ts.Node>();
  const add = (node: ts.Expression) => {
    seen.add(node);
    found.push({
      file: path.relative(SRC, file),
      line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1,
      ...literalText(node, sf),
    });
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const callee = node.expression.text;
      if (callee === "indexerQuery" && node.arguments[1]) add(node.arguments[1]);
      if (callee === "graphqlRequest" && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) {
        for (const p of node.arguments[0].properties) if (ts.isPropertyAssignment(p) && p.name.getText(sf) === "query") add(p.initializer);
      }
    }
    if ((ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) && !seen.has(node)) {
      const head = ts.isTemplateExpression(node) ? node.head.text : node.text;
      if (OPERATION.test(head) && /[{(]/.test(head)) add(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function schemaTheRunnerServes(): GraphQLSchema {
  return buildGraphQLSchema(parseSchemaModel(readFileSync(SCHEMA_FILE, "utf8"))).schema;
}

function problems(schema: GraphQLSchema, q: Found): string[] {
  if (q.problem || q.text === null) return [`${q.file}:${q.line}: ${q.problem}`];
  try {
    return validate(schema, parse(q.text)).map((e) => `${q.file}:${q.line}: ${e.message}`);
  } catch (e) {
    return [`${q.file}:${q.line}: ${(e as Error).message}`];
  }
}

describe("the GUI's GraphQL queries", () => {
  const schema = schemaTheRunnerServes();
  const queries = sourceFiles(SRC).flatMap(findQueries);

  it("are found in every data action that reaches the index", () => {
    const calls = sourceFiles(SRC).filter(
      (f) => /\bindexerQuery\s*[<(]/.test(readFileSync(f, "utf8")) && !f.endsWith(path.join("actions", "indexer.ts")),
    );
    expect(calls.length).toBeGreaterThan(5);
    for (const f of calls)
      expect(
        queries.some((q) => q.file === path.relative(SRC, f)),
        `no query found in ${path.relative(SRC, f)}`,
      ).toBe(true);
  });

  it("each validate against the schema the subgraph runner serves", () => {
    const all = queries.flatMap((q) => problems(schema, q));
    expect(all, all.join("\n")).toEqual([]);
  });

  it("would fail on a wrong field, filter, enum value or variable type, naming the file", () => {
    const bad = (text: string) => problems(schema, { file: "data/actions/example.ts", line: 7, text, problem: null });
    expect(bad("query A { contributionz(first: 1) { id } }")[0]).toMatch(
      /^data\/actions\/example\.ts:7: Cannot query field "contributionz"/,
    );
    expect(bad("query B { contributions(where: { statuz: Pending }) { id } }")[0]).toMatch(/statuz/);
    expect(bad("query C { contributions(where: { status: Maybe }) { id } }")[0]).toMatch(/Maybe/);
    expect(bad("query D($id: Int!) { contribution(id: $id) { id } }")[0]).toMatch(
      /Variable "\$id" of type "Int!" used in position expecting type "ID!"/,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a splice, quoted on purpose
    const splice = "the query splices `${owner}` into its text";
    expect(problems(schema, { file: "x.ts", line: 1, text: null, problem: splice })[0]).toBe(`x.ts:1: ${splice}`);
  });
});
