// Reads the Kubo `add` flags a client may send and maps them onto an import layout. Flags that
// would give CIDs this store cannot reproduce are refused instead of silently ignored.

import { CONTENT_LAYOUT, MAX_CHUNK_SIZE, type UnixFsLayout } from "../content/layout.ts";
import { ContentApiError } from "./content-api-error.ts";

export type AddParams = { layout: UnixFsLayout; pin: boolean; onlyHash: boolean };

/**
 * Without flags the pinned layout is used (CIDv1, raw leaves), where Kubo's own default would
 * be CIDv0: see sdk/CONTENT.md. With `cid-version` and friends, Kubo's rules apply.
 */
export function parseAddParams(query: URLSearchParams): AddParams {
  const flag = (name: string): boolean | undefined => {
    const value = query.get(name);
    if (value === null) return undefined;
    if (value === "" || value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    throw new ContentApiError(400, `invalid value "${value}" for option "${name}": expected true or false`);
  };
  const cidVersionText = query.get("cid-version");
  let cidVersion = CONTENT_LAYOUT.cidVersion;
  if (cidVersionText !== null) {
    if (cidVersionText !== "0" && cidVersionText !== "1") throw new ContentApiError(400, `unknown CID version "${cidVersionText}"`);
    cidVersion = cidVersionText === "0" ? 0 : 1;
  }
  const rawLeaves = flag("raw-leaves") ?? cidVersion === 1;
  if (cidVersion === 0 && rawLeaves) throw new ContentApiError(400, "raw leaves need CID version 1 on this store");
  let chunkSize = CONTENT_LAYOUT.chunkSize;
  const chunker = query.get("chunker");
  if (chunker !== null && chunker !== "") {
    const match = /^size-(\d+)$/.exec(chunker);
    if (!match) throw new ContentApiError(400, `chunker "${chunker}" is not supported: use size-<bytes>`);
    chunkSize = Number(match[1]);
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw new ContentApiError(400, `chunker size must be between 1 and ${MAX_CHUNK_SIZE}`);
  }
  if (flag("trickle")) throw new ContentApiError(400, "the trickle layout is not supported: this store builds balanced DAGs");
  const hash = query.get("hash");
  if (hash !== null && hash !== "sha2-256") throw new ContentApiError(400, `hash function "${hash}" is not supported: use sha2-256`);
  if (flag("wrap-with-directory")) throw new ContentApiError(400, "wrap-with-directory is not supported: add files one at a time");
  if (flag("inline")) throw new ContentApiError(400, "inline CIDs are not supported");
  return {
    layout: { cidVersion, rawLeaves, chunkSize, maxChildrenPerNode: CONTENT_LAYOUT.maxChildrenPerNode },
    pin: flag("pin") ?? true,
    onlyHash: flag("only-hash") ?? false,
  };
}

/** A non-negative integer query option, or undefined when absent. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === "") return undefined;
  if (!/^\d+$/.test(value))
    throw new ContentApiError(400, `invalid value "${value}" for option "${name}": expected a non-negative integer`);
  return Number(value);
}
