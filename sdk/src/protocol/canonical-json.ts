// Canonical JSON: the byte form of a protocol document (a receipt's `detailsHash` commits to
// it), so any verifier — a trainer node, the GUI, an auditor's script — re-serialises a document
// it fetched and compares hashes. Browser-safe.
//
// Definition: UTF-8 of the value written with
//   - object keys sorted by UTF-16 code units (JavaScript's default sort), properties whose
//     value is `undefined` left out (as JSON.stringify does);
//   - no whitespace anywhere;
//   - strings and numbers exactly as ECMAScript JSON.stringify writes them (shortest
//     round-trip number form, "\u2028" left as is, lone surrogates escaped);
//   - only null, booleans, finite numbers, strings, arrays and plain objects: anything else
//     (bigint, NaN, Infinity, undefined in an array, functions) is refused.
// JSON.parse of a canonical string followed by canonicalJson gives the same string back.
import { keccak256, stringToBytes, type Hex } from "viem";
import { InvalidInputError } from "../errors.ts";

/**
 * The canonical JSON string of `value`.
 * @example
 * canonicalJson({ b: [1, "x"], a: null }) // '{"a":null,"b":[1,"x"]}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, "$");
}

/** keccak256 of the canonical JSON bytes of `value`. */
export function canonicalJsonHash(value: unknown): Hex {
  return keccak256(stringToBytes(canonicalJson(value)));
}

function write(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw refuse(path, String(value));
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v, i) => write(v, `${path}[${i}]`)).join(",")}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw refuse(path, "a non-plain object");
      const obj = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(obj).sort()) {
        const v = obj[key];
        if (v === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${write(v, `${path}.${key}`)}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      throw refuse(path, typeof value);
  }
}

function refuse(path: string, what: string): InvalidInputError {
  return new InvalidInputError(`Canonical JSON cannot hold ${what} (at ${path}).`, { code: "CANONICAL_JSON_INVALID", meta: { path } });
}
