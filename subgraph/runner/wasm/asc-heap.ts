// Reads and writes AssemblyScript objects in a mapping's linear memory, with the layout of
// AssemblyScript 0.19 (graph-cli's compiler) and the stub runtime: every object is preceded
// by a header whose last two u32 are its class id and byte size; `__new(size, classId)`
// allocates; class ids come from graph-ts's exported `id_of_type(TypeId)`.

/** graph-ts `TypeId` discriminants of the classes the host allocates. */
export const TypeId = {
  String: 0,
  ArrayBuffer: 1,
  Uint8Array: 6,
  BigDecimal: 12,
  ArrayUint8Array: 14,
  ArrayEthereumValue: 15,
  ArrayStoreValue: 16,
  ArrayJsonValue: 17,
  ArrayString: 18,
  ArrayEventParam: 19,
  ArrayTypedMapEntryStringJsonValue: 20,
  ArrayTypedMapEntryStringStoreValue: 21,
  EventParam: 23,
  EthereumTransaction: 24,
  EthereumBlock: 25,
  WrappedBool: 28,
  WrappedJsonValue: 29,
  EthereumValue: 30,
  StoreValue: 31,
  JsonValue: 32,
  EthereumEvent: 33,
  TypedMapEntryStringStoreValue: 34,
  TypedMapEntryStringJsonValue: 35,
  TypedMapStringStoreValue: 36,
  TypedMapStringJsonValue: 37,
  ResultJsonValueBool: 40,
} as const;
export type TypeIdName = keyof typeof TypeId;

type Exports = {
  memory: WebAssembly.Memory;
  __new: (size: number, classId: number) => number;
  id_of_type: (typeId: number) => number;
};

const utf16 = new TextDecoder("utf-16le");

/** One mapping instance's heap. Views are re-created whenever the memory grows. */
export class AscHeap {
  readonly exports: Exports;
  readonly classIds: Map<number, number>;
  private buffer: ArrayBuffer | undefined;
  private bytes: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(exports: Exports, classIds: Map<number, number>) {
    this.exports = exports;
    this.classIds = classIds;
  }

  /** Re-creates the views after the memory grew (growing detaches the old buffer). */
  private sync(): void {
    if (this.bytes.byteLength !== 0) return;
    const buffer = this.exports.memory.buffer;
    this.buffer = buffer;
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
  }

  classId(typeId: number): number {
    let id = this.classIds.get(typeId);
    if (id === undefined) {
      id = this.exports.id_of_type(typeId) >>> 0;
      this.classIds.set(typeId, id);
    }
    return id;
  }

  alloc(size: number, typeId: number): number {
    const ptr = this.exports.__new(size, this.classId(typeId)) >>> 0;
    this.sync();
    return ptr;
  }

  // --- reading -------------------------------------------------------------------------

  u32(ptr: number): number {
    this.sync();
    return this.view.getUint32(ptr, true);
  }

  i32(ptr: number): number {
    this.sync();
    return this.view.getInt32(ptr, true);
  }

  u64(ptr: number): bigint {
    this.sync();
    return this.view.getBigUint64(ptr, true);
  }

  i64(ptr: number): bigint {
    this.sync();
    return this.view.getBigInt64(ptr, true);
  }

  f64(ptr: number): number {
    this.sync();
    return this.view.getFloat64(ptr, true);
  }

  /** Byte size recorded in an object's header. */
  size(ptr: number): number {
    return this.u32(ptr - 4);
  }

  readString(ptr: number): string {
    if (ptr === 0) throw new Error("null string passed to a host function");
    this.sync();
    const length = this.view.getUint32(ptr - 4, true);
    return utf16.decode(this.bytes.subarray(ptr, ptr + length));
  }

  /** A typed array view (Uint8Array, Bytes, BigInt, Address): a copy of its bytes. */
  readBytes(ptr: number): Uint8Array {
    if (ptr === 0) throw new Error("null bytes passed to a host function");
    this.sync();
    const dataStart = this.view.getUint32(ptr + 4, true);
    const byteLength = this.view.getUint32(ptr + 8, true);
    return this.bytes.slice(dataStart, dataStart + byteLength);
  }

  /** Pointers held by an `Array<object>`. */
  readPointerArray(ptr: number): number[] {
    this.sync();
    const dataStart = this.view.getUint32(ptr + 4, true);
    const length = this.view.getInt32(ptr + 12, true);
    const out: number[] = new Array(length);
    for (let i = 0; i < length; i++) out[i] = this.view.getUint32(dataStart + 4 * i, true);
    return out;
  }

  // --- writing -------------------------------------------------------------------------

  writeU32(ptr: number, value: number): void {
    this.sync();
    this.view.setUint32(ptr, value >>> 0, true);
  }

  writeI32(ptr: number, value: number): void {
    this.sync();
    this.view.setInt32(ptr, value | 0, true);
  }

  writeU64(ptr: number, value: bigint): void {
    this.sync();
    this.view.setBigUint64(ptr, BigInt.asUintN(64, value), true);
  }

  private interned = new Map<string, number>();

  /** A string that may be shared, such as an entity field name (AS strings are immutable). */
  internString(s: string): number {
    let ptr = this.interned.get(s);
    if (ptr === undefined) {
      ptr = this.newString(s);
      this.interned.set(s, ptr);
    }
    return ptr;
  }

  newString(s: string): number {
    const ptr = this.alloc(s.length * 2, TypeId.String);
    for (let i = 0; i < s.length; i++) this.view.setUint16(ptr + 2 * i, s.charCodeAt(i), true);
    return ptr;
  }

  newArrayBuffer(data: Uint8Array): number {
    const ptr = this.alloc(data.length, TypeId.ArrayBuffer);
    this.bytes.set(data, ptr);
    return ptr;
  }

  /** A `Uint8Array` (also used for Bytes, Address and BigInt, which extend it). */
  newBytes(data: Uint8Array): number {
    const buffer = this.newArrayBuffer(data);
    const ptr = this.alloc(12, TypeId.Uint8Array);
    this.writeU32(ptr, buffer);
    this.writeU32(ptr + 4, buffer);
    this.writeU32(ptr + 8, data.length);
    return ptr;
  }

  /** An `Array<object>` of the given graph-ts array type. */
  newPointerArray(pointers: readonly number[], typeId: number): number {
    const buffer = this.alloc(pointers.length * 4, TypeId.ArrayBuffer);
    for (let i = 0; i < pointers.length; i++) this.view.setUint32(buffer + 4 * i, pointers[i]!, true);
    const ptr = this.alloc(16, typeId);
    this.writeU32(ptr, buffer);
    this.writeU32(ptr + 4, buffer);
    this.writeU32(ptr + 8, pointers.length * 4);
    this.writeI32(ptr + 12, pointers.length);
    return ptr;
  }

  /** An object whose fields are all pointers (or u32), in declaration order. */
  newObject(fields: readonly number[], typeId: number): number {
    const ptr = this.alloc(fields.length * 4, typeId);
    for (let i = 0; i < fields.length; i++) this.view.setUint32(ptr + 4 * i, fields[i]!, true);
    return ptr;
  }

  /** A `{ kind: i32; data: u64 }` enum-like value (store Value, ethereum.Value, JSONValue). */
  newKindValue(kind: number, data: bigint | number, typeId: number): number {
    const ptr = this.alloc(16, typeId);
    this.writeI32(ptr, kind);
    this.writeU64(ptr + 8, typeof data === "bigint" ? data : BigInt(data >>> 0));
    return ptr;
  }
}
