// Runs entity queries against the store for the GraphQL resolvers: `entity(id)` lookups with a
// per-request cache, and collection queries with filters, ordering and pagination in one SQL
// statement each.
import { GraphQLError } from "graphql";
import type { SchemaModel } from "../schema/model.ts";
import type { EntityStore } from "../store/entity-store.ts";
import { ident, type EntityData, type SqlValue } from "../store/values.ts";
import { orderByValues, SqlBuilder, type FilterKeyMap } from "./filters.ts";
import { DEFAULT_QUERY_LIMITS, limitErrors, QueryBudget, type QueryLimits } from "./limits.ts";

/** graph-node's default limit on `first` and its default page size. */
export const MAX_FIRST = DEFAULT_QUERY_LIMITS.maxFirst;
export const DEFAULT_FIRST = 100;

export type CollectionArgs = {
  first?: number | null;
  skip?: number | null;
  orderBy?: string | null;
  orderDirection?: "asc" | "desc" | null;
  where?: Record<string, unknown> | null;
};

/** Restricts a collection to the children of one parent. */
export type Scope =
  | { kind: "column"; column: string; value: SqlValue }
  | { kind: "json"; column: string; value: SqlValue }
  | { kind: "ids"; ids: SqlValue[] };

export class QueryEngine {
  readonly store: EntityStore;
  readonly schema: SchemaModel;
  readonly keyMaps: Map<string, FilterKeyMap>;
  readonly limits: QueryLimits;
  /** The query's time budget, checked before every statement. */
  readonly budget: QueryBudget;
  private readonly cache = new Map<string, EntityData | null>();

  constructor(store: EntityStore, schema: SchemaModel, keyMaps: Map<string, FilterKeyMap>, limits: QueryLimits = DEFAULT_QUERY_LIMITS) {
    this.store = store;
    this.schema = schema;
    this.keyMaps = keyMaps;
    this.limits = limits;
    this.budget = new QueryBudget(limits.timeoutMs);
  }

  load(entity: string, id: string | bigint): EntityData | null {
    this.budget.check();
    const key = `${entity}\u0000${id}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const table = this.store.table(entity);
    const sqlId = table.entity.idType === "Int8" ? BigInt(id) : table.entity.idType === "Bytes" ? String(id).toLowerCase() : String(id);
    const row = table.get.get(sqlId) as Record<string, unknown> | undefined;
    const data = row ? this.store.decodeRow(table, row) : null;
    this.cache.set(key, data);
    return data;
  }

  list(entity: string, args: CollectionArgs, scope?: Scope): EntityData[] {
    const first = args.first ?? DEFAULT_FIRST;
    const skip = args.skip ?? 0;
    if (!Number.isInteger(first) || first < 0 || first > this.limits.maxFirst) {
      throw new GraphQLError(limitErrors.range("first", this.limits.maxFirst, first));
    }
    if (!Number.isInteger(skip) || skip < 0 || skip > this.limits.maxSkip)
      throw new GraphQLError(limitErrors.range("skip", this.limits.maxSkip, skip));
    this.budget.check();
    const model = this.schema.entities.get(entity)!;
    const b = new SqlBuilder(this.schema, this.keyMaps);
    const a = b.alias();
    let join = "";
    let order = `${a}.id`;
    const direction = args.orderDirection === "desc" ? "DESC" : "ASC";
    if (args.orderBy) {
      const spec = orderByValues(model, this.schema).get(args.orderBy);
      if (!spec) throw new GraphQLError(`Cannot order ${entity} by \`${args.orderBy}\`.`);
      const numeric = (scalar: string) => (scalar === "BigDecimal" ? (c: string) => `CAST(${c} AS REAL)` : (c: string) => c);
      if (spec.child) {
        const j = b.alias();
        join = `LEFT JOIN ${ident((spec.field.type as { name: string }).name)} ${j} ON ${j}.id = ${a}.${ident(spec.field.name)}`;
        order = numeric(b.scalarOf(spec.child))(`${j}.${ident(spec.child.name)}`);
      } else {
        order = numeric(b.scalarOf(spec.field))(`${a}.${ident(spec.field.name)}`);
      }
    }
    const conditions: string[] = [];
    if (scope?.kind === "column") conditions.push(`${a}.${ident(scope.column)} = ${b.param(scope.value)}`);
    if (scope?.kind === "json") {
      conditions.push(`EXISTS (SELECT 1 FROM json_each(${a}.${ident(scope.column)}) j WHERE j.value = ${b.param(scope.value)})`);
    }
    if (scope?.kind === "ids") {
      if (scope.ids.length === 0) return [];
      conditions.push(`${a}.id IN (SELECT value FROM json_each(${b.param(JSON.stringify(scope.ids))}))`);
    }
    let filter: string;
    try {
      filter = b.where(model, a, args.where);
    } catch (e) {
      throw new GraphQLError((e as Error).message);
    }
    conditions.push(filter);
    const tieBreak = order === `${a}.id` ? "" : `, ${a}.id ${direction}`;
    const sql =
      `SELECT ${a}.* FROM ${ident(entity)} ${a} ${join} WHERE ${conditions.join(" AND ")} ` +
      `ORDER BY ${order} ${direction}${tieBreak} LIMIT ${first} OFFSET ${skip}`;
    const table = this.store.table(entity);
    const rows = this.store.prepared(sql).all(...b.params) as Record<string, unknown>[];
    return rows.map((row) => {
      const data = this.store.decodeRow(table, row);
      this.cache.set(`${entity}\u0000${String(data.id)}`, data);
      return data;
    });
  }
}
