// The canonical serialization of records: what is stored, what sha256 hashes into the on-chain
// content hash, and what the Python worker reads. One JSON object per line in a fixed key
// order, strings as JSON.stringify writes them (ECMA-262 fixes that output, so it is the same
// on every engine and platform), UTF-8, each line ending in "\n".

import type { DatasetRecord } from "./schema.ts";

/** One record as its canonical JSON line, without the trailing newline. */
export function serializeRecord(record: DatasetRecord): string {
  const head = `{"schema":${JSON.stringify(record.schema)},"kind":${JSON.stringify(record.kind)}`;
  switch (record.kind) {
    case "instruction":
      return `${head},"instruction":${JSON.stringify(record.instruction)},"input":${JSON.stringify(record.input)},"output":${JSON.stringify(record.output)}}`;
    case "chat":
      return `${head},"messages":[${record.messages
        .map((m) => `{"role":${JSON.stringify(m.role)},"content":${JSON.stringify(m.content)}}`)
        .join(",")}]}`;
    case "text":
      return `${head},"text":${JSON.stringify(record.text)}}`;
  }
}

/** The canonical bytes of a contribution: every record's line followed by "\n". */
export function serializeRecords(records: readonly DatasetRecord[]): Uint8Array {
  let text = "";
  for (const record of records) text += `${serializeRecord(record)}\n`;
  return new TextEncoder().encode(text);
}

/** A 0x-prefixed bytes32 hex string: the on-chain form of a sha256 digest. */
export type ContentHash = `0x${string}`;

/**
 * sha256 of `bytes` as 0x-prefixed hex, the `contentHash` recorded on chain.
 * @example
 * await sha256Hex(new Uint8Array()) // "0xe3b0c442…b855"
 */
export async function sha256Hex(bytes: Uint8Array): Promise<ContentHash> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  let hex = "0x";
  for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
  return hex as ContentHash;
}

/** True for a well-formed content hash (0x + 64 lowercase or uppercase hex digits). */
export function isContentHash(value: unknown): value is ContentHash {
  return typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value);
}
