// Small helpers over the SDK's content store for what the node stores and reads: JSON
// documents, `ipfs://` URIs and size-bounded reads.
import { createHash } from "node:crypto";
import { readContent, type ContentStore } from "@modelfactory/sdk/node";
import type { Hex } from "viem";
import { TrainerNodeError } from "./errors.ts";

/** SHA-256 of some bytes as 0x-hex: how the chain records a spec's, an adapter's and an index's hash. */
export function sha256Hex(bytes: Uint8Array): Hex {
  return `0x${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The CID in `ipfs://<cid>` or a bare CID. */
export function cidFromUri(uri: string): string {
  const cid = uri.startsWith("ipfs://") ? uri.slice("ipfs://".length).split("/")[0]! : uri;
  if (!/^[A-Za-z0-9]{20,120}$/.test(cid)) throw new TrainerNodeError(`Not a content URI: ${uri}`, { code: "BAD_CONTENT_URI" });
  return cid;
}

/** Stores bytes and returns `ipfs://<cid>`. */
export async function putBytes(store: ContentStore, bytes: Uint8Array): Promise<string> {
  return `ipfs://${(await store.put(bytes)).toString()}`;
}

/** Stores a JSON document (UTF-8, trailing newline) and returns `ipfs://<cid>`. */
export async function putJson(store: ContentStore, value: unknown): Promise<string> {
  return putBytes(store, new TextEncoder().encode(JSON.stringify(value) + "\n"));
}

/** Reads a document by URI, at most `maxBytes`. */
export async function getBytes(store: ContentStore, uri: string, maxBytes = 16 * 1024 * 1024): Promise<Uint8Array> {
  return readContent(store, cidFromUri(uri), { maxBytes });
}
