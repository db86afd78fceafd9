// The content store contract shared by the embedded store and the Kubo client: put bytes or a
// stream and get its CID; read a CID back as a verified stream; ask whether it is held; pin.

import type { CID } from "multiformats/cid";
import { ContentTooLargeError } from "./errors.ts";
import type { ContentSource } from "./source.ts";

export type PutOptions = {
  /** Keep the content when the store collects garbage. Default true, as `ipfs add`. */
  pin?: boolean;
  signal?: AbortSignal;
};

export type GetOptions = {
  signal?: AbortSignal;
};

/** A content-addressed store of files under the pinned UnixFS layout (see CONTENT_LAYOUT). */
export interface ContentStore {
  /** Stores `content` and returns its CID. Streams are never held in memory whole. */
  put(content: ContentSource, options?: PutOptions): Promise<CID>;
  /**
   * Streams the bytes of `cid`. Throws ContentNotFoundError on the first read when the store
   * does not hold it, and ContentIntegrityError when bytes do not match the CID.
   */
  get(cid: CID | string, options?: GetOptions): AsyncIterable<Uint8Array>;
  /** True when the store holds the content's root block. */
  has(cid: CID | string, options?: GetOptions): Promise<boolean>;
  /** Keeps the content; throws ContentNotFoundError when any block is missing. */
  pin(cid: CID | string, options?: GetOptions): Promise<void>;
}

export type ReadContentOptions = GetOptions & {
  /** Fail with ContentTooLargeError past this many bytes instead of reading on. */
  maxBytes?: number;
};

/**
 * Reads a whole CID into memory, up to `maxBytes`.
 * @example
 * const bytes = await readContent(store, cid, { maxBytes: 50 * 1024 * 1024 })
 */
export async function readContent(store: ContentStore, cid: CID | string, options: ReadContentOptions = {}): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const max = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
  for await (const chunk of store.get(cid, options)) {
    length += chunk.length;
    if (length > max) {
      throw new ContentTooLargeError(`Content ${cid} is larger than the ${max}-byte limit.`, {
        meta: { cid: String(cid), limit: max },
      });
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
