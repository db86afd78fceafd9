// The graph-ts host functions the runner provides to mappings, by import name. graph-node
// links imports by name; so does the runner, and an import missing from this table fails the
// mapping at load time, naming it.
import { keccak256 } from "viem";
import { MappingError } from "../errors.ts";
import type { SchemaModel } from "../schema/model.ts";
import type { EntityStore } from "../store/entity-store.ts";
import { TypeId, type AscHeap } from "./asc-heap.ts";
import {
  addDecimal,
  divDecimal,
  compareDecimal,
  formatDecimal,
  mulDecimal,
  normalizeDecimal,
  parseDecimal,
  subDecimal,
  type Decimal,
} from "./numbers.ts";
import { bytesToHex, hexToBytes, newBigDecimal, newBigInt, newEntity, readBigDecimal, readBigInt, readEntity } from "./values.ts";

export type LogLevel = "critical" | "error" | "warning" | "info" | "debug";
const LEVELS: LogLevel[] = ["critical", "error", "warning", "info", "debug"];

/** What host functions act on while one handler runs. */
export type HostState = {
  heap: AscHeap;
  store: EntityStore;
  schema: SchemaModel;
  dataSource: { name: string; address: string; network: string };
  log: (level: LogLevel, message: string) => void;
};

type Fn = (...args: never[]) => unknown;

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let out = "";
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = "1" + out;
  }
  return out;
}

/** JSONValueKind of graph-ts. */
const Json = { NULL: 0, BOOL: 1, NUMBER: 2, STRING: 3, ARRAY: 4, OBJECT: 5 } as const;

function newJsonValue(heap: AscHeap, value: unknown, numberText?: string): number {
  if (value === null) return heap.newKindValue(Json.NULL, 0n, TypeId.JsonValue);
  if (typeof value === "boolean") return heap.newKindValue(Json.BOOL, value ? 1n : 0n, TypeId.JsonValue);
  if (typeof value === "number") {
    return heap.newKindValue(Json.NUMBER, heap.newString(numberText ?? String(value)), TypeId.JsonValue);
  }
  if (typeof value === "string") return heap.newKindValue(Json.STRING, heap.newString(value), TypeId.JsonValue);
  if (Array.isArray(value)) {
    const items = value.map((v) => newJsonValue(heap, v));
    return heap.newKindValue(Json.ARRAY, heap.newPointerArray(items, TypeId.ArrayJsonValue), TypeId.JsonValue);
  }
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) =>
    heap.newObject([heap.newString(k), newJsonValue(heap, v)], TypeId.TypedMapEntryStringJsonValue),
  );
  const map = heap.newObject([heap.newPointerArray(entries, TypeId.ArrayTypedMapEntryStringJsonValue)], TypeId.TypedMapStringJsonValue);
  return heap.newKindValue(Json.OBJECT, map, TypeId.JsonValue);
}

/** Parses JSON keeping the source text of numbers (graph-ts converts them itself). */
function parseJson(text: string): unknown {
  // Big integers would lose precision through JSON.parse: keep them as their digits.
  return JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === "number" && context?.source ? { $number: context.source } : value,
  );
}

function newParsedJson(heap: AscHeap, value: unknown): number {
  if (value && typeof value === "object" && !Array.isArray(value) && "$number" in value) {
    const source = (value as { $number: string }).$number;
    return newJsonValue(heap, Number(source), source);
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => newParsedJson(heap, v));
    return heap.newKindValue(Json.ARRAY, heap.newPointerArray(items, TypeId.ArrayJsonValue), TypeId.JsonValue);
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) =>
      heap.newObject([heap.newString(k), newParsedJson(heap, v)], TypeId.TypedMapEntryStringJsonValue),
    );
    const map = heap.newObject([heap.newPointerArray(entries, TypeId.ArrayTypedMapEntryStringJsonValue)], TypeId.TypedMapStringJsonValue);
    return heap.newKindValue(Json.OBJECT, map, TypeId.JsonValue);
  }
  return newJsonValue(heap, value);
}

/** Host functions, by the import name mappings use. `s()` is the state of the running handler. */
export function hostFunctions(s: () => HostState): Record<string, Fn> {
  const str = (p: number) => s().heap.readString(p);
  const big = (p: number) => readBigInt(s().heap, p);
  const outBig = (n: bigint) => newBigInt(s().heap, n);
  const dec = (p: number): Decimal => normalizeDecimal(readBigDecimal(s().heap, p));
  const outDec = (d: Decimal) => newBigDecimal(s().heap, normalizeDecimal(d));
  const nonZero = (n: bigint) => {
    if (n === 0n) throw new MappingError("BigInt division by zero");
    return n;
  };

  const fns: Record<string, Fn> = {
    abort: (msg: number, file: number, line: number, column: number) => {
      const heap = s().heap;
      const message = msg ? heap.readString(msg) : "(no message)";
      const where = file ? `${heap.readString(file)}:${line}:${column}` : "unknown location";
      throw new MappingError(`Mapping aborted at ${where}, with message: ${message}`);
    },

    // store
    "store.get": (entity: number, id: number) => {
      const st = s();
      const name = str(entity);
      const data = st.store.get(name, str(id));
      return data ? newEntity(st.heap, st.schema, st.store.table(name).entity, data) : 0;
    },
    "store.get_in_block": (entity: number, id: number) => {
      const st = s();
      const name = str(entity);
      const data = st.store.getInBlock(name, str(id));
      return data ? newEntity(st.heap, st.schema, st.store.table(name).entity, data) : 0;
    },
    "store.loadRelated": (entity: number, id: number, field: number) => {
      const st = s();
      const name = str(entity);
      const parent = st.store.table(name).entity;
      const childName = (parent.fieldsByName.get(str(field))?.type as { name: string } | undefined)?.name ?? "";
      const rows = st.store.loadRelated(name, str(id), str(field));
      const child = st.store.table(childName).entity;
      return st.heap.newPointerArray(
        rows.map((r) => newEntity(st.heap, st.schema, child, r)),
        TypeId.ArrayTypedMapEntryStringStoreValue,
      );
    },
    "store.set": (entity: number, id: number, data: number) => {
      const st = s();
      st.store.set(str(entity), str(id), readEntity(st.heap, data));
    },
    "store.remove": (entity: number, id: number) => {
      s().store.remove(str(entity), str(id));
    },

    // logging: a critical message fails the subgraph, as in graph-node
    "log.log": (level: number, msg: number) => {
      const message = str(msg);
      const name = LEVELS[level] ?? "info";
      s().log(name, message);
      if (name === "critical") throw new MappingError(`Critical error logged by the mapping: ${message}`);
    },

    // conversions
    "typeConversion.bytesToString": (p: number) =>
      s().heap.newString(new TextDecoder().decode(s().heap.readBytes(p)).replaceAll("\u0000", "")),
    "typeConversion.bytesToHex": (p: number) => s().heap.newString(bytesToHex(s().heap.readBytes(p))),
    "typeConversion.bigIntToString": (p: number) => s().heap.newString(big(p).toString()),
    "typeConversion.bigIntToHex": (p: number) => {
      const n = big(p);
      return s().heap.newString(n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);
    },
    "typeConversion.stringToH160": (p: number) => {
      const text = str(p);
      const hex = text.startsWith("0x") ? text.slice(2) : text;
      if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw new MappingError(`Failed to convert string to Address/H160: '${text}'`);
      return s().heap.newBytes(hexToBytes(hex));
    },
    "typeConversion.bytesToBase58": (p: number) => s().heap.newString(base58(s().heap.readBytes(p))),

    // BigInt
    "bigInt.plus": (x: number, y: number) => outBig(big(x) + big(y)),
    "bigInt.minus": (x: number, y: number) => outBig(big(x) - big(y)),
    "bigInt.times": (x: number, y: number) => outBig(big(x) * big(y)),
    "bigInt.dividedBy": (x: number, y: number) => outBig(big(x) / nonZero(big(y))),
    "bigInt.dividedByDecimal": (x: number, y: number) => outDec(divDecimal({ digits: big(x), exp: 0n }, dec(y))),
    "bigInt.mod": (x: number, y: number) => outBig(big(x) % nonZero(big(y))),
    "bigInt.pow": (x: number, e: number) => outBig(big(x) ** BigInt(e & 0xff)),
    "bigInt.fromString": (p: number) => {
      const text = str(p);
      if (!/^-?\d+$/.test(text)) throw new MappingError(`Failed to convert string to BigInt: '${text}'`);
      return outBig(BigInt(text));
    },
    "bigInt.bitOr": (x: number, y: number) => outBig(big(x) | big(y)),
    "bigInt.bitAnd": (x: number, y: number) => outBig(big(x) & big(y)),
    "bigInt.leftShift": (x: number, bits: number) => outBig(big(x) << BigInt(bits & 0xff)),
    "bigInt.rightShift": (x: number, bits: number) => outBig(big(x) >> BigInt(bits & 0xff)),

    // BigDecimal
    "bigDecimal.plus": (x: number, y: number) => outDec(addDecimal(dec(x), dec(y))),
    "bigDecimal.minus": (x: number, y: number) => outDec(subDecimal(dec(x), dec(y))),
    "bigDecimal.times": (x: number, y: number) => outDec(mulDecimal(dec(x), dec(y))),
    "bigDecimal.dividedBy": (x: number, y: number) => outDec(divDecimal(dec(x), dec(y))),
    "bigDecimal.equals": (x: number, y: number) => (compareDecimal(dec(x), dec(y)) === 0 ? 1 : 0),
    "bigDecimal.toString": (p: number) => s().heap.newString(formatDecimal(dec(p))),
    "bigDecimal.fromString": (p: number) => {
      try {
        return outDec(parseDecimal(str(p)));
      } catch (cause) {
        throw new MappingError(`Failed to convert string to BigDecimal: '${str(p)}'`, { cause });
      }
    },

    // crypto
    "crypto.keccak256": (p: number) => s().heap.newBytes(hexToBytes(keccak256(s().heap.readBytes(p)))),

    // JSON
    "json.fromBytes": (p: number) => {
      const text = new TextDecoder().decode(s().heap.readBytes(p));
      try {
        return newParsedJson(s().heap, parseJson(text));
      } catch (cause) {
        throw new MappingError(`Failed to parse JSON: ${(cause as Error).message}`, { cause });
      }
    },
    "json.try_fromBytes": (p: number) => {
      const heap = s().heap;
      const text = new TextDecoder().decode(heap.readBytes(p));
      let value: number | undefined;
      try {
        value = newParsedJson(heap, parseJson(text));
      } catch {
        value = undefined;
      }
      // Result<JSONValue, bool> { _value: Wrapped<JSONValue> | null, _error: Wrapped<bool> | null }
      if (value === undefined) {
        const error = heap.alloc(4, TypeId.WrappedBool);
        heap.writeU32(error, 1);
        return heap.newObject([0, error], TypeId.ResultJsonValueBool);
      }
      return heap.newObject([heap.newObject([value], TypeId.WrappedJsonValue), 0], TypeId.ResultJsonValueBool);
    },
    "json.toI64": (p: number) => BigInt.asIntN(64, BigInt(str(p))),
    "json.toU64": (p: number) => BigInt.asIntN(64, BigInt.asUintN(64, BigInt(str(p)))),
    "json.toF64": (p: number) => Number(str(p)),
    "json.toBigInt": (p: number) => outBig(BigInt(str(p))),

    // data source
    "dataSource.address": () => s().heap.newBytes(hexToBytes(s().dataSource.address)),
    "dataSource.network": () => s().heap.newString(s().dataSource.network),
    "dataSource.context": () =>
      s().heap.newObject([s().heap.newPointerArray([], TypeId.ArrayTypedMapEntryStringStoreValue)], TypeId.TypedMapStringStoreValue),
  };
  return fns;
}

/** Import names graph-ts declares that the runner deliberately does not provide, and why. */
export const UNSUPPORTED_IMPORTS: Record<string, string> = {
  "ethereum.call": "mappings must not make eth_call; put what they need in the event",
  "ethereum.getBalance": "chain state reads are not supported",
  "ethereum.hasCode": "chain state reads are not supported",
  "ipfs.cat": "file access from mappings is not supported",
  "ipfs.map": "file access from mappings is not supported",
  "ens.nameByHash": "ENS lookups are not supported",
  "dataSource.create": "data source templates are not supported",
  "dataSource.createWithContext": "data source templates are not supported",
};
