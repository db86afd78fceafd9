// Converting between host values and the graph-ts objects mappings exchange with the host:
// store `Value`s and `Entity` maps, BigInt/BigDecimal, and ethereum event parameters.
import type { AbiParameter } from "viem";
import type { EntityModel, SchemaModel } from "../schema/model.ts";
import { fieldScalar, kindOf, ValueKind, type EntityData, type EntityValue, type KindedValue } from "../store/values.ts";
import { TypeId, type AscHeap } from "./asc-heap.ts";
import { bigIntFromLE, bigIntToLE, formatDecimal, parseDecimal, type Decimal } from "./numbers.ts";

export function hexToBytes(hex: string): Uint8Array {
  return Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex");
}

export function bytesToHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function readBigInt(heap: AscHeap, ptr: number): bigint {
  return bigIntFromLE(heap.readBytes(ptr));
}

export function newBigInt(heap: AscHeap, n: bigint): number {
  return heap.newBytes(bigIntToLE(n));
}

export function readBigDecimal(heap: AscHeap, ptr: number): Decimal {
  return { digits: readBigInt(heap, heap.u32(ptr)), exp: readBigInt(heap, heap.u32(ptr + 4)) };
}

export function newBigDecimal(heap: AscHeap, d: Decimal): number {
  const digits = newBigInt(heap, d.digits);
  const exp = newBigInt(heap, d.exp);
  return heap.newObject([digits, exp], TypeId.BigDecimal);
}

/** A store `Value` as the mapping built it. Arrays hold KindedValues. */
export function readStoreValue(heap: AscHeap, ptr: number): KindedValue {
  const kind = heap.i32(ptr);
  const data = heap.u64(ptr + 8);
  const p = Number(data & 0xffffffffn);
  switch (kind) {
    case ValueKind.STRING:
      return { kind, value: heap.readString(p) };
    case ValueKind.INT:
      return { kind, value: Number(BigInt.asIntN(32, data)) };
    case ValueKind.BIGDECIMAL:
      return { kind, value: formatDecimal(readBigDecimal(heap, p)) };
    case ValueKind.BOOL:
      return { kind, value: data !== 0n };
    case ValueKind.ARRAY:
      return { kind, value: heap.readPointerArray(p).map((q) => readStoreValue(heap, q)) as unknown as EntityValue[] };
    case ValueKind.NULL:
      return { kind, value: null };
    case ValueKind.BYTES:
      return { kind, value: bytesToHex(heap.readBytes(p)) };
    case ValueKind.BIGINT:
      return { kind, value: readBigInt(heap, p) };
    case ValueKind.INT8:
    case ValueKind.TIMESTAMP:
      return { kind, value: BigInt.asIntN(64, data) };
    default:
      throw new Error(`unknown store value kind ${kind}`);
  }
}

/** The fields of a graph-ts `Entity` (TypedMap<string, Value>). */
export function readEntity(heap: AscHeap, ptr: number): Map<string, KindedValue> {
  const fields = new Map<string, KindedValue>();
  for (const entry of heap.readPointerArray(heap.u32(ptr))) {
    fields.set(heap.readString(heap.u32(entry)), readStoreValue(heap, heap.u32(entry + 4)));
  }
  return fields;
}

function newScalarValue(heap: AscHeap, kind: number, value: EntityValue): number {
  switch (kind) {
    case ValueKind.STRING:
      return heap.newKindValue(kind, heap.newString(value as string), TypeId.StoreValue);
    case ValueKind.INT:
      return heap.newKindValue(kind, BigInt(value as number), TypeId.StoreValue);
    case ValueKind.BIGDECIMAL:
      return heap.newKindValue(kind, newBigDecimal(heap, parseDecimal(value as string)), TypeId.StoreValue);
    case ValueKind.BOOL:
      return heap.newKindValue(kind, value ? 1n : 0n, TypeId.StoreValue);
    case ValueKind.BYTES:
      return heap.newKindValue(kind, heap.newBytes(hexToBytes(value as string)), TypeId.StoreValue);
    case ValueKind.BIGINT:
      return heap.newKindValue(kind, newBigInt(heap, value as bigint), TypeId.StoreValue);
    default:
      return heap.newKindValue(kind, value as bigint, TypeId.StoreValue);
  }
}

/** Writes an entity as a graph-ts `Entity`, each field with the Value kind of its schema type. */
export function newEntity(heap: AscHeap, schema: SchemaModel, entity: EntityModel, data: EntityData): number {
  const entries: number[] = [];
  for (const field of entity.stored) {
    const value = data[field.name];
    if (value === null || value === undefined) continue;
    const kind = kindOf(fieldScalar(field, schema.entities));
    const valuePtr = field.list
      ? heap.newKindValue(
          ValueKind.ARRAY,
          heap.newPointerArray(
            (value as EntityValue[]).map((v) => newScalarValue(heap, kind, v)),
            TypeId.ArrayStoreValue,
          ),
          TypeId.StoreValue,
        )
      : newScalarValue(heap, kind, value);
    entries.push(heap.newObject([heap.internString(field.name), valuePtr], TypeId.TypedMapEntryStringStoreValue));
  }
  const array = heap.newPointerArray(entries, TypeId.ArrayTypedMapEntryStringStoreValue);
  return heap.newObject([array], TypeId.TypedMapStringStoreValue);
}

/** graph-ts `ethereum.ValueKind`. */
const EthKind = {
  ADDRESS: 0,
  FIXED_BYTES: 1,
  BYTES: 2,
  INT: 3,
  UINT: 4,
  BOOL: 5,
  STRING: 6,
  FIXED_ARRAY: 7,
  ARRAY: 8,
  TUPLE: 9,
} as const;

/** Writes a decoded ABI value as an `ethereum.Value`. */
export function newEthereumValue(heap: AscHeap, param: AbiParameter, value: unknown): number {
  const type = param.type;
  const list = /^(.*)\[(\d*)\]$/.exec(type);
  if (list) {
    const inner = { ...param, type: list[1]! } as AbiParameter;
    const items = (value as unknown[]).map((v) => newEthereumValue(heap, inner, v));
    const kind = list[2] === "" ? EthKind.ARRAY : EthKind.FIXED_ARRAY;
    return heap.newKindValue(kind, heap.newPointerArray(items, TypeId.ArrayEthereumValue), TypeId.EthereumValue);
  }
  if (type === "tuple") {
    const components = (param as { components: readonly AbiParameter[] }).components;
    const items = components.map((c, i) =>
      newEthereumValue(heap, c, Array.isArray(value) ? value[i] : (value as Record<string, unknown>)[c.name ?? String(i)]),
    );
    return heap.newKindValue(EthKind.TUPLE, heap.newPointerArray(items, TypeId.ArrayEthereumValue), TypeId.EthereumValue);
  }
  if (type === "address") {
    return heap.newKindValue(EthKind.ADDRESS, heap.newBytes(hexToBytes(value as string)), TypeId.EthereumValue);
  }
  if (type === "bool") return heap.newKindValue(EthKind.BOOL, value ? 1n : 0n, TypeId.EthereumValue);
  if (type === "string") return heap.newKindValue(EthKind.STRING, heap.newString(value as string), TypeId.EthereumValue);
  if (type === "bytes") {
    return heap.newKindValue(EthKind.BYTES, heap.newBytes(hexToBytes(value as string)), TypeId.EthereumValue);
  }
  if (type.startsWith("bytes")) {
    return heap.newKindValue(EthKind.FIXED_BYTES, heap.newBytes(hexToBytes(value as string)), TypeId.EthereumValue);
  }
  if (type.startsWith("int") || type.startsWith("uint")) {
    const kind = type.startsWith("int") ? EthKind.INT : EthKind.UINT;
    return heap.newKindValue(kind, newBigInt(heap, BigInt(value as bigint | number)), TypeId.EthereumValue);
  }
  throw new Error(`ABI type ${type} is not supported by the local runner`);
}
