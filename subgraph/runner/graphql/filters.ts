// The Graph's `where` filters and `orderBy` in SQL: scalar suffixes (_not, _gt, _in, _contains,
// _starts_with, …, _nocase), nested `field_` filters on references and derived fields,
// `and`/`or`, and `_change_block`. Which keys exist per type mirrors graph-node.
import type { EntityModel, FieldModel, ScalarName, SchemaModel } from "../schema/model.ts";
import { encodeScalar, fieldScalar, ident, type EntityValue, type SqlValue } from "../store/values.ts";

export type FilterOp =
  | "eq"
  | "not"
  | "gt"
  | "lt"
  | "gte"
  | "lte"
  | "in"
  | "not_in"
  | "contains"
  | "contains_nocase"
  | "not_contains"
  | "not_contains_nocase"
  | "starts_with"
  | "starts_with_nocase"
  | "not_starts_with"
  | "not_starts_with_nocase"
  | "ends_with"
  | "ends_with_nocase"
  | "not_ends_with"
  | "not_ends_with_nocase"
  | "nested";

const ORDERED: FilterOp[] = ["eq", "not", "gt", "lt", "gte", "lte", "in", "not_in"];
const STRING_EXTRA: FilterOp[] = [
  "contains",
  "contains_nocase",
  "not_contains",
  "not_contains_nocase",
  "starts_with",
  "starts_with_nocase",
  "not_starts_with",
  "not_starts_with_nocase",
  "ends_with",
  "ends_with_nocase",
  "not_ends_with",
  "not_ends_with_nocase",
];
const LIST_OPS: FilterOp[] = ["eq", "not", "contains", "contains_nocase", "not_contains", "not_contains_nocase"];

/** The filter operators graph-node generates for a field. */
export function filterOps(field: FieldModel, scalar: ScalarName | "enum"): FilterOp[] {
  if (field.derivedFrom) return ["nested"];
  if (field.list) return field.type.kind === "entity" ? [...LIST_OPS, "nested"] : LIST_OPS;
  if (field.type.kind === "entity") return [...ORDERED, ...STRING_EXTRA, "nested"];
  if (scalar === "Boolean" || scalar === "enum") return ["eq", "not", "in", "not_in"];
  if (scalar === "String") return [...ORDERED, ...STRING_EXTRA];
  if (scalar === "Bytes") return [...ORDERED, "contains", "not_contains"];
  return ORDERED;
}

export function filterKey(field: string, op: FilterOp): string {
  if (op === "eq") return field;
  if (op === "nested") return `${field}_`;
  return `${field}_${op}`;
}

export type FilterKeyMap = Map<string, { field: FieldModel; op: FilterOp }>;

export class SqlBuilder {
  readonly schema: SchemaModel;
  readonly keyMaps: Map<string, FilterKeyMap>;
  params: SqlValue[] = [];
  private aliasCount = 0;

  constructor(schema: SchemaModel, keyMaps: Map<string, FilterKeyMap>) {
    this.schema = schema;
    this.keyMaps = keyMaps;
  }

  alias(): string {
    return `t${this.aliasCount++}`;
  }

  param(value: SqlValue): string {
    this.params.push(value);
    return "?";
  }

  scalarOf(field: FieldModel): ScalarName | "enum" {
    return fieldScalar(field, this.schema.entities);
  }

  /** Encodes a filter value for comparison with a column (or a list element). */
  encode(field: FieldModel, value: unknown, inList = false): SqlValue {
    const scalar = this.scalarOf(field);
    let v = value as EntityValue;
    if (scalar === "Bytes" && typeof v === "string") v = v.toLowerCase();
    if ((scalar === "Int8" || scalar === "Timestamp") && typeof v !== "bigint" && v !== null) v = BigInt(v as number);
    return encodeScalar(v, scalar, inList || field.list);
  }

  /** SQL condition for a `where` object on `entity` rows aliased `a`. */
  where(entity: EntityModel, a: string, where: Record<string, unknown> | null | undefined): string {
    if (!where) return "1";
    const parts: string[] = [];
    const keys = this.keyMaps.get(entity.name)!;
    for (const [key, value] of Object.entries(where)) {
      if (value === undefined) continue;
      if (key === "and" || key === "or") {
        const subs = (value as Record<string, unknown>[] | null) ?? [];
        if (subs.length === 0) continue;
        const joined = subs.map((w) => `(${this.where(entity, a, w)})`).join(key === "and" ? " AND " : " OR ");
        parts.push(`(${joined})`);
        continue;
      }
      if (key === "_change_block") {
        parts.push(`${a}._block >= ${this.param((value as { number_gte: number }).number_gte)}`);
        continue;
      }
      const entry = keys.get(key);
      if (!entry) throw new Error(`Unknown filter \`${key}\` on ${entity.name}.`);
      parts.push(this.condition(entity, a, entry.field, entry.op, value));
    }
    return parts.length === 0 ? "1" : parts.join(" AND ");
  }

  private condition(entity: EntityModel, a: string, field: FieldModel, op: FilterOp, value: unknown): string {
    const col = `${a}.${ident(field.name)}`;
    if (op === "nested") return this.nested(entity, a, field, value as Record<string, unknown>);
    if (field.list) return this.listCondition(col, field, op, value as unknown[] | null);
    const scalar = this.scalarOf(field);
    const cmp = scalar === "BigDecimal" ? `CAST(${col} AS REAL)` : col;
    const p = (v: unknown) => (scalar === "BigDecimal" ? this.param(Number(v)) : this.param(this.encode(field, v)));
    if (value === null) {
      if (op === "eq") return `${col} IS NULL`;
      if (op === "not") return `${col} IS NOT NULL`;
      return "0";
    }
    switch (op) {
      case "eq":
        return `${cmp} = ${p(value)}`;
      case "not":
        return `${cmp} != ${p(value)}`;
      case "gt":
        return `${cmp} > ${p(value)}`;
      case "lt":
        return `${cmp} < ${p(value)}`;
      case "gte":
        return `${cmp} >= ${p(value)}`;
      case "lte":
        return `${cmp} <= ${p(value)}`;
      case "in":
      case "not_in": {
        const list = value as unknown[];
        if (list.length === 0) return op === "in" ? "0" : `${col} IS NOT NULL`;
        return `${cmp} ${op === "in" ? "IN" : "NOT IN"} (${list.map(p).join(", ")})`;
      }
    }
    // Text operators on strings, references and bytes.
    const negate = op.startsWith("not_");
    const nocase = op.endsWith("_nocase");
    const base = op.replace(/^not_/, "").replace(/_nocase$/, "");
    let needle = String(value);
    let hay = col;
    if (scalar === "Bytes") needle = needle.toLowerCase().replace(/^0x/, "");
    if (nocase) {
      hay = `lower(${col})`;
      needle = needle.toLowerCase();
    }
    let sql: string;
    if (needle === "") sql = "1";
    else if (base === "contains") sql = `instr(${hay}, ${this.param(needle)}) > 0`;
    else if (base === "starts_with") sql = `substr(${hay}, 1, ${[...needle].length}) = ${this.param(needle)}`;
    else sql = `substr(${hay}, -${[...needle].length}) = ${this.param(needle)}`;
    return negate ? `(${col} IS NOT NULL AND NOT (${sql}))` : `(${col} IS NOT NULL AND ${sql})`;
  }

  private listCondition(col: string, field: FieldModel, op: FilterOp, value: unknown[] | null): string {
    if (op === "eq" || op === "not") {
      if (value === null) return op === "eq" ? `${col} IS NULL` : `${col} IS NOT NULL`;
      const json = this.param(JSON.stringify(value.map((v) => this.encode(field, v, true))));
      return op === "eq" ? `${col} = ${json}` : `${col} != ${json}`;
    }
    const nocase = op.endsWith("_nocase");
    const items = (value ?? []).map((v) => {
      const e = this.encode(field, v, true);
      const j = nocase ? "lower(j.value)" : "j.value";
      const x = nocase ? `lower(${this.param(e)})` : this.param(e);
      return `EXISTS (SELECT 1 FROM json_each(${col}) j WHERE ${j} = ${x})`;
    });
    const all = items.length === 0 ? "1" : items.join(" AND ");
    return op.startsWith("not_") ? `NOT (${all})` : `(${all})`;
  }

  /** `field_: { … }`: rows whose related entities match the nested filter. */
  private nested(entity: EntityModel, a: string, field: FieldModel, where: Record<string, unknown>): string {
    const target = this.schema.entities.get((field.type as { name: string }).name)!;
    const b = this.alias();
    const inner = this.where(target, b, where);
    const table = ident(target.name);
    if (field.derivedFrom) {
      const source = target.fieldsByName.get(field.derivedFrom)!;
      const src = `${b}.${ident(source.name)}`;
      if (source.list) {
        return `EXISTS (SELECT 1 FROM ${table} ${b} WHERE EXISTS (SELECT 1 FROM json_each(${src}) j WHERE j.value = ${a}.id) AND ${inner})`;
      }
      return `EXISTS (SELECT 1 FROM ${table} ${b} WHERE ${src} = ${a}.id AND ${inner})`;
    }
    const col = `${a}.${ident(field.name)}`;
    if (field.list) {
      return `EXISTS (SELECT 1 FROM json_each(${col}) j JOIN ${table} ${b} ON ${b}.id = j.value WHERE ${inner})`;
    }
    void entity;
    return `EXISTS (SELECT 1 FROM ${table} ${b} WHERE ${b}.id = ${col} AND ${inner})`;
  }
}

/** Fields usable in `orderBy`: stored scalars and single references, and `ref__child` for them. */
export function orderByValues(entity: EntityModel, schema: SchemaModel): Map<string, { field: FieldModel; child?: FieldModel }> {
  const out = new Map<string, { field: FieldModel; child?: FieldModel }>();
  for (const field of entity.fields) {
    if (field.list && field.type.kind !== "entity") {
      out.set(field.name, { field });
      continue;
    }
    if (field.list || field.derivedFrom) continue;
    out.set(field.name, { field });
    if (field.type.kind === "entity") {
      const target = schema.entities.get(field.type.name)!;
      for (const child of target.fields) {
        if (child.list || child.derivedFrom || child.type.kind === "entity") continue;
        out.set(`${field.name}__${child.name}`, { field, child });
      }
    }
  }
  return out;
}
