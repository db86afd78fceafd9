// The envelope format `modelfactory.envelope/1` (sdk/ENVELOPE.md): data encrypted with a fresh
// 256-bit data key in AES-256-GCM chunks, the data key wrapped to each recipient's X25519 key.
// Streams in bounded memory (two chunks in flight); each chunk's nonce carries its index and a
// last-chunk flag and its AAD is the hash of the header, so an edited, reordered, truncated or
// extended envelope, or a header with swapped recipients, fails authentication.
import { randomBytes } from "@noble/ciphers/utils.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { canonicalJson } from "../protocol/canonical-json.ts";
import { chunkCipher, NONCE_BYTES, TAG_BYTES, type AeadBackend, type ChunkCipher } from "./aead.ts";
import { EnvelopeError } from "./errors.ts";
import { encryptionKeyPairFromSecret, unwrapDataKey, wrapDataKey, type WrappedKey } from "./keys.ts";

export const ENVELOPE_SCHEMA = "modelfactory.envelope/1";
/** "MFENV" then format version 1. */
export const ENVELOPE_MAGIC = new Uint8Array([0x4d, 0x46, 0x45, 0x4e, 0x56, 0x01]);
export const DEFAULT_CHUNK_SIZE = 256 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_RECIPIENTS = 64;
const NONCE_PREFIX_BYTES = 7;
const PREFIX_BYTES = ENVELOPE_MAGIC.length + 4;

/** The header, stored in the clear before the chunks. */
export type EnvelopeHeader = {
  schema: typeof ENVELOPE_SCHEMA;
  aead: "AES-256-GCM";
  /** Plaintext bytes per chunk (every chunk but the last is exactly this long). */
  chunkSize: number;
  /** 7 random bytes (hex): the first part of every chunk nonce. */
  noncePrefix: Hex;
  /** The data key wrapped to each recipient. */
  recipients: WrappedKey[];
};

export type EncryptEnvelopeOptions = {
  /** X25519 public keys to wrap the data key to (e.g. the Datanet's and the contributor's). */
  recipients: readonly (Uint8Array | Hex)[];
  chunkSize?: number;
  backend?: AeadBackend;
  /** Test vectors only: fixed randomness. */
  fixed?: { dataKey: Uint8Array; noncePrefix: Uint8Array; ephemeralSecrets: Uint8Array[] };
};

/** How to open an envelope: a recipient's secret key, or a data key a key service re-wrapped. */
export type EnvelopeKey = { secretKey: Uint8Array } | { dataKey: Uint8Array };

type Source = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

function nonce(prefix: Uint8Array, index: number, last: boolean): Uint8Array {
  const n = new Uint8Array(NONCE_BYTES);
  n.set(prefix, 0);
  new DataView(n.buffer).setUint32(NONCE_PREFIX_BYTES, index);
  n[NONCE_BYTES - 1] = last ? 1 : 0;
  return n;
}

/** The bytes before the first chunk: magic, header length, header. */
function encodePrefix(header: EnvelopeHeader): Uint8Array {
  const json = new TextEncoder().encode(canonicalJson(header));
  const out = new Uint8Array(PREFIX_BYTES + json.length);
  out.set(ENVELOPE_MAGIC, 0);
  new DataView(out.buffer).setUint32(ENVELOPE_MAGIC.length, json.length);
  out.set(json, PREFIX_BYTES);
  return out;
}

/** Re-cuts a byte stream into pieces of exactly `size` bytes (the last may be shorter), one in flight. */
async function* pieces(source: Source, size: number): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(size);
  let fill = 0;
  for await (const chunk of source) {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(size - fill, chunk.length - off);
      buf.set(chunk.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === size) {
        yield buf;
        buf = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  yield buf.subarray(0, fill);
}

/** Holds one item back so the consumer knows which one is last. */
async function* withLast<T>(source: AsyncIterable<T>): AsyncGenerator<[T, boolean]> {
  let pending: { v: T } | undefined;
  for await (const v of source) {
    if (pending) yield [pending.v, false];
    pending = { v };
  }
  if (pending) yield [pending.v, true];
}

/**
 * Encrypts a byte stream into an envelope stream.
 * @example
 * const out = await collect(encryptEnvelope([bytes], { recipients: [datanetKey, myKey.publicKey] }))
 */
export async function* encryptEnvelope(source: Source, options: EncryptEnvelopeOptions): AsyncGenerator<Uint8Array> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 16 || chunkSize > 16 * 1024 * 1024)
    throw new EnvelopeError(`Chunk size ${chunkSize} is not between 16 B and 16 MiB.`);
  if (options.recipients.length === 0 || options.recipients.length > MAX_RECIPIENTS)
    throw new EnvelopeError(`An envelope needs 1 to ${MAX_RECIPIENTS} recipients, not ${options.recipients.length}.`);
  const dataKey = options.fixed?.dataKey ?? randomBytes(32);
  const noncePrefix = options.fixed?.noncePrefix ?? randomBytes(NONCE_PREFIX_BYTES);
  const header: EnvelopeHeader = {
    schema: ENVELOPE_SCHEMA,
    aead: "AES-256-GCM",
    chunkSize,
    noncePrefix: bytesToHex(noncePrefix),
    recipients: options.recipients.map((r, i) => wrapDataKey(dataKey, r, options.fixed?.ephemeralSecrets[i])),
  };
  const prefix = encodePrefix(header);
  const aad = sha256(prefix);
  const cipher = await chunkCipher(dataKey, options.backend);
  yield prefix;
  const ahead = new Ahead<Uint8Array>();
  let index = 0;
  for await (const [piece, last] of withLast(pieces(source, chunkSize))) {
    const sealed = ahead.push(cipher.seal(nonce(noncePrefix, index, last), aad, piece));
    if (sealed) yield await sealed;
    index++;
  }
  yield* ahead.drain();
}

/**
 * Chunks sealed or opened at once, yielded in order. WebCrypto runs each call off the main
 * thread (Node: on the libuv pool, shared with file writes); awaiting one chunk at a time left
 * that pool idle between chunks, while a content store's block writes queued in front of each
 * one — encrypted add ran at a fifth of plain add. Two in flight keep it busy; more gained no
 * speed on 2 cores and grew resident memory (each pool thread keeps its own malloc arena).
 */
const AHEAD = 2;
class Ahead<T> {
  readonly #queue: Promise<T>[] = [];
  /** Starts `work`; returns the oldest one to await once AHEAD are in flight. */
  push(work: Promise<T>): Promise<T> | undefined {
    // Marked handled now: a later chunk that fails while an earlier one is awaited is thrown in order, not as an unhandled rejection.
    work.catch(() => undefined);
    this.#queue.push(work);
    return this.#queue.length >= AHEAD ? this.#queue.shift() : undefined;
  }
  async *drain(): AsyncGenerator<T> {
    while (this.#queue.length) yield await this.#queue.shift()!;
  }
}

/** Parses and checks a header's JSON; the error names the bad field. */
function parseHeader(json: Uint8Array): EnvelopeHeader {
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json)) as Record<string, unknown>;
  } catch (cause) {
    throw new EnvelopeError("The envelope header is not JSON.", { cause });
  }
  const bad = (field: string, rule: string): never => {
    throw new EnvelopeError(`Invalid envelope header: "${field}" ${rule}.`, { meta: { field } });
  };
  if (!h || typeof h !== "object" || Array.isArray(h)) bad("header", "must be an object");
  if (h.schema !== ENVELOPE_SCHEMA) bad("schema", `must be "${ENVELOPE_SCHEMA}"`);
  if (h.aead !== "AES-256-GCM") bad("aead", 'must be "AES-256-GCM"');
  if (typeof h.chunkSize !== "number" || !Number.isInteger(h.chunkSize) || h.chunkSize < 16 || h.chunkSize > 16 * 1024 * 1024)
    bad("chunkSize", "must be an integer from 16 to 16 MiB");
  if (typeof h.noncePrefix !== "string" || !/^0x[0-9a-fA-F]{14}$/.test(h.noncePrefix)) bad("noncePrefix", "must be 7 bytes of hex");
  if (!Array.isArray(h.recipients) || h.recipients.length === 0 || h.recipients.length > MAX_RECIPIENTS)
    bad("recipients", `must list 1 to ${MAX_RECIPIENTS} wrapped keys`);
  (h.recipients as unknown[]).forEach((r, i) => {
    const w = r as Record<string, unknown>;
    for (const [k, bytes] of [
      ["publicKey", 32],
      ["ephemeralKey", 32],
      ["wrappedKey", 48],
    ] as const) {
      if (typeof w?.[k] !== "string" || !new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(w[k] as string))
        bad(`recipients[${i}].${k}`, `must be ${bytes} bytes of hex`);
    }
  });
  return h as EnvelopeHeader;
}

/** Reads exactly what the prefix needs from a stream; returns the header and the bytes after it. */
async function readPrefix(iterator: AsyncIterator<Uint8Array>): Promise<{ header: EnvelopeHeader; prefix: Uint8Array; rest: Uint8Array }> {
  let buf = new Uint8Array(0);
  const need = async (n: number) => {
    while (buf.length < n) {
      const { value, done } = await iterator.next();
      if (done)
        throw new EnvelopeError(buf.length === 0 ? "The envelope is empty." : "The envelope ends inside its header.", {
          code: buf.length < PREFIX_BYTES ? "ENVELOPE_MALFORMED" : "ENVELOPE_TRUNCATED",
        });
      const next = new Uint8Array(buf.length + value.length);
      next.set(buf, 0);
      next.set(value, buf.length);
      buf = next;
    }
  };
  await need(PREFIX_BYTES);
  if (!ENVELOPE_MAGIC.every((b, i) => buf[i] === b))
    throw new EnvelopeError(
      "This is not a ModelFactory envelope (no MFENV v1 magic): it may be stored in the clear or with another format.",
    );
  const length = new DataView(buf.buffer, buf.byteOffset).getUint32(ENVELOPE_MAGIC.length);
  if (length === 0 || length > MAX_HEADER_BYTES) throw new EnvelopeError(`The envelope header claims ${length} bytes, outside 1 B–64 KiB.`);
  await need(PREFIX_BYTES + length);
  const header = parseHeader(buf.subarray(PREFIX_BYTES, PREFIX_BYTES + length));
  return { header, prefix: buf.slice(0, PREFIX_BYTES + length), rest: buf.slice(PREFIX_BYTES + length) };
}

function toIterator(source: Source): AsyncIterator<Uint8Array> {
  const it = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]?.() ?? (source as Iterable<Uint8Array>)[Symbol.iterator]();
  return it as AsyncIterator<Uint8Array>;
}

/** The header of an envelope stream (reads only as far as the header). */
export async function readEnvelopeHeader(source: Source): Promise<EnvelopeHeader> {
  const it = toIterator(source);
  try {
    return (await readPrefix(it)).header;
  } finally {
    await it.return?.();
  }
}

/** The data key of an envelope for the holder of `secretKey`, from the header's recipients. */
export function dataKeyFromHeader(header: EnvelopeHeader, secretKey: Uint8Array, publicKey: Hex): Uint8Array {
  const mine = header.recipients.find((r) => r.publicKey.toLowerCase() === publicKey.toLowerCase());
  if (!mine)
    throw new EnvelopeError("The envelope lists no wrapped key for this key.", { code: "ENVELOPE_NOT_A_RECIPIENT", meta: { publicKey } });
  return unwrapDataKey(mine, secretKey);
}

/**
 * Decrypts an envelope stream, yielding plaintext chunk by chunk; throws an EnvelopeError
 * (ENVELOPE_AUTH_FAILED, ENVELOPE_TRUNCATED, …) the moment a chunk fails.
 */
export async function* decryptEnvelope(
  source: Source,
  key: EnvelopeKey,
  options: { backend?: AeadBackend } = {},
): AsyncGenerator<Uint8Array> {
  const it = toIterator(source);
  const { header, prefix, rest } = await readPrefix(it);
  let dataKey: Uint8Array;
  if ("dataKey" in key) dataKey = key.dataKey;
  else dataKey = dataKeyFromHeader(header, key.secretKey, bytesToHex(encryptionKeyPairFromSecret(key.secretKey).publicKey));
  const cipher = await chunkCipher(dataKey, options.backend);
  const aad = sha256(prefix);
  const noncePrefix = hexToBytes(header.noncePrefix);
  const sealedSize = header.chunkSize + TAG_BYTES;
  async function* remaining(): AsyncGenerator<Uint8Array> {
    if (rest.length) yield rest;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  const ahead = new Ahead<Uint8Array>();
  let index = 0;
  for await (const [sealed, last] of withLast(pieces(remaining(), sealedSize))) {
    if (last && sealed.length === 0 && index > 0) {
      // The stream ended exactly after a full chunk: that chunk was not marked last (earlier
      // chunks first, so an edited one is still named as such).
      yield* ahead.drain();
      throw new EnvelopeError(`The envelope is truncated: it ends after chunk ${index - 1}, which is not its last.`, {
        code: "ENVELOPE_TRUNCATED",
        meta: { chunks: index },
      });
    }
    const opened = ahead.push(open(cipher, noncePrefix, aad, index, sealed, last));
    if (opened) yield await opened;
    index++;
  }
  yield* ahead.drain();
}

async function open(
  cipher: ChunkCipher,
  prefix: Uint8Array,
  aad: Uint8Array,
  index: number,
  sealed: Uint8Array,
  last: boolean,
): Promise<Uint8Array> {
  if (sealed.length < TAG_BYTES)
    throw new EnvelopeError(`The envelope is truncated inside chunk ${index}.`, { code: "ENVELOPE_TRUNCATED", meta: { chunk: index } });
  try {
    return await cipher.open(nonce(prefix, index, last), aad, sealed);
  } catch (cause) {
    if (last) {
      // A chunk that opens as "not last" where the stream ends: the rest was cut off.
      const opened = await cipher.open(nonce(prefix, index, false), aad, sealed).then(
        () => true,
        () => false,
      );
      if (opened)
        throw new EnvelopeError(`The envelope is truncated: it ends after chunk ${index}, which is not its last.`, {
          code: "ENVELOPE_TRUNCATED",
          meta: { chunks: index + 1 },
        });
    }
    throw new EnvelopeError(
      `Chunk ${index} of the envelope does not authenticate: the data was altered, reordered or extended, or the key is wrong.`,
      { code: "ENVELOPE_AUTH_FAILED", cause, meta: { chunk: index } },
    );
  }
}

/** Collects a byte stream into one array (for small envelopes and tests). */
export async function collectBytes(source: Source): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const p of source) {
    parts.push(p);
    n += p.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
