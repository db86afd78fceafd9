// A read-side wrapper that hashes every block before the file reader uses it, so a corrupted
// or substituted block on disk surfaces as ContentIntegrityError, never as data.

import type { CID } from "multiformats/cid";
import { verifyBlock } from "./cid.ts";
import { ContentNotFoundError } from "./errors.ts";

type BlockSource = {
  get(cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> | Generator<Uint8Array>;
};

/** Returns a function reading one verified block from `source`, or throwing a typed error. */
export function verifiedBlockGetter(source: BlockSource) {
  return async (cid: CID, options?: { signal?: AbortSignal }): Promise<Uint8Array> => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    try {
      for await (const chunk of source.get(cid, options)) {
        chunks.push(chunk);
        length += chunk.length;
      }
    } catch (cause) {
      if (isNotFound(cause)) throw new ContentNotFoundError(cid.toString(), { cause });
      throw cause;
    }
    const block = chunks.length === 1 ? chunks[0]! : concat(chunks, length);
    await verifyBlock(cid, block);
    return block;
  };
}

export function isNotFound(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown } | null;
  return e?.name === "NotFoundError" || e?.code === "ERR_NOT_FOUND" || e?.code === "ENOENT";
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
