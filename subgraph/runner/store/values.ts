// Entity values on the host: the JavaScript form of each schema type, the store `Value` kinds
// a mapping may send for it, and the column encoding in SQLite (BigInt as a sortable string,
// so `ORDER BY` and comparisons are numeric).
import type { EntityModel, FieldModel, ScalarName } from "../schema/model.ts";

/**
 * string: ID, String, enum, Bytes ("0x…" lowercase), BigDecimal (decimal text);
 * number: Int; bigint: BigInt, Int8, Timestamp; boolean: Boolean; arrays for lists.
 */
export type EntityValue = string | number | bigint | boolean | null | EntityValue[];
export type EntityData = Record<string, EntityValue>;

/** graph-ts `ValueKind`. */
export const ValueKind = {
  STRING: 0,
  INT: 1,
  BIGDECIMAL: 2,
  BOOL: 3,
  ARRAY: 4,
  NULL: 5,
  BYTES: 6,
  BIGINT: 7,
  INT8: 8,
  TIMESTAMP: 9,
} as const;
export const VALUE_KIND_NAMES = ["String", "Int", "BigDecimal", "Boolean", "Array", "null", "Bytes", "BigInt", "Int8", "Timestamp"];

export type KindedValue = { kind: number; value: EntityValue };

/** The scalar a field holds, references resolved to their target's id type. */
export function fieldScalar(field: FieldModel, entities: Map<string, EntityModel>): ScalarName | "enum" {
  if (field.type.kind === "scalar") return field.type.name;
  if (field.type.kind === "enum") return "enum";
  const idType = entities.get(field.type.name)!.idType;
  return idType === "String" ? "ID" : idType;
}

/** The Value kind a mapping sends for a scalar. */
export function kindOf(scalar: ScalarName | "enum"): number {
  switch (scalar) {
    case "ID":
    case "String":
    case "enum":
      return ValueKind.STRING;
    case "Bytes":
      return ValueKind.BYTES;
    case "Int":
      return ValueKind.INT;
    case "Int8":
      return ValueKind.INT8;
    case "BigInt":
      return ValueKind.BIGINT;
    case "BigDecimal":
      return ValueKind.BIGDECIMAL;
    case "Boolean":
      return ValueKind.BOOL;
    case "Timestamp":
      return ValueKind.TIMESTAMP;
  }
}

/** Whether a mapping's value kind may be stored in a field of `scalar` (as graph-node allows). */
export function kindFits(kind: number, scalar: ScalarName | "enum"): boolean {
  const expected = kindOf(scalar);
  if (kind === expected) return true;
  if (scalar === "Int8" || scalar === "Timestamp") return kind === ValueKind.INT || kind === ValueKind.INT8;
  return false;
}

/** Coerces a value of an accepted kind to the field's JavaScript form. */
export function coerce(value: EntityValue, scalar: ScalarName | "enum"): EntityValue {
  if ((scalar === "Int8" || scalar === "Timestamp") && typeof value === "number") return BigInt(value);
  return value;
}

// --- SQLite columns ----------------------------------------------------------------------

export type SqlValue = string | number | bigint | null;

const DIGITS_WIDTH = 4;

/** bigint → text whose lexicographic order is numeric order. */
export function encodeBigInt(n: bigint): string {
  if (n >= 0n) {
    const s = n.toString();
    return "p" + String(s.length).padStart(DIGITS_WIDTH, "0") + s;
  }
  const s = (-n).toString();
  const complement = [...s].map((d) => String(9 - Number(d))).join("");
  return "n" + String(10 ** DIGITS_WIDTH - 1 - s.length).padStart(DIGITS_WIDTH, "0") + complement;
}

export function decodeBigInt(s: string): bigint {
  const body = s.slice(1 + DIGITS_WIDTH);
  if (s[0] === "p") return BigInt(body);
  return -BigInt([...body].map((d) => String(9 - Number(d))).join(""));
}

/** Encodes one scalar for a column or a list element. */
export function encodeScalar(value: EntityValue, scalar: ScalarName | "enum", inList = false): SqlValue {
  if (value === null) return null;
  switch (scalar) {
    case "BigInt":
      return encodeBigInt(value as bigint);
    case "Boolean":
      return value ? 1 : 0;
    case "Int8":
    case "Timestamp":
      return inList ? (value as bigint).toString() : (value as bigint);
    default:
      return value as string | number;
  }
}

export function decodeScalar(raw: unknown, scalar: ScalarName | "enum", inList = false): EntityValue {
  if (raw === null || raw === undefined) return null;
  switch (scalar) {
    case "BigInt":
      return decodeBigInt(raw as string);
    case "Boolean":
      return raw === 1 || raw === 1n;
    case "Int":
      return Number(raw);
    case "Int8":
    case "Timestamp":
      return BigInt(inList ? (raw as string) : (raw as number | bigint));
    default:
      return raw as string;
  }
}

export function encodeField(value: EntityValue, field: FieldModel, scalar: ScalarName | "enum"): SqlValue {
  if (value === null || value === undefined) return null;
  if (field.list) return JSON.stringify((value as EntityValue[]).map((v) => encodeScalar(v, scalar, true)));
  return encodeScalar(value, scalar);
}

export function decodeField(raw: unknown, field: FieldModel, scalar: ScalarName | "enum"): EntityValue {
  if (raw === null || raw === undefined) return null;
  if (field.list) return (JSON.parse(raw as string) as unknown[]).map((v) => decodeScalar(v, scalar, true));
  return decodeScalar(raw, scalar);
}

/** SQLite column type of a field. */
export function columnType(field: FieldModel, scalar: ScalarName | "enum"): string {
  if (field.list) return "TEXT";
  return scalar === "Int" || scalar === "Int8" || scalar === "Timestamp" || scalar === "Boolean" ? "INTEGER" : "TEXT";
}

/** Double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
