// The one UnixFS layout this project writes, pinned so that the same bytes get the same CID
// in the embedded store, through the local API, and in a Kubo node given the matching flags:
//   ipfs add --cid-version=1 --raw-leaves --chunker=size-262144 --hash=sha2-256 (no --trickle)
// Kubo's balanced layout links at most 174 children per node; so does this one.
// See sdk/CONTENT.md before changing anything here: every CID ever recorded depends on it.

import { importer, type ImporterOptions } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { CID } from "multiformats/cid";
import { InvalidInputError } from "../errors.ts";
import { toAsyncIterable, type ContentSource } from "./source.ts";

/** Parameters of a UnixFS file import. */
export type UnixFsLayout = {
  cidVersion: 0 | 1;
  rawLeaves: boolean;
  /** Fixed chunk size in bytes (Kubo `--chunker=size-N`). */
  chunkSize: number;
  /** Most links per node of the balanced DAG (Kubo's default is 174). */
  maxChildrenPerNode: number;
};

/** The layout every ModelFactory CID is computed with. */
export const CONTENT_LAYOUT: Readonly<UnixFsLayout> = Object.freeze({
  cidVersion: 1,
  rawLeaves: true,
  chunkSize: 262_144,
  maxChildrenPerNode: 174,
});

/** Kubo's own default (`ipfs add` without flags): CIDv0, UnixFS leaves. Used to verify v0 CIDs. */
export const KUBO_DEFAULT_V0_LAYOUT: Readonly<UnixFsLayout> = Object.freeze({
  cidVersion: 0,
  rawLeaves: false,
  chunkSize: 262_144,
  maxChildrenPerNode: 174,
});

/** The Kubo `add` options (kubo-rpc-client names) that reproduce {@link CONTENT_LAYOUT}. */
export const KUBO_ADD_OPTIONS = Object.freeze({
  cidVersion: 1,
  rawLeaves: true,
  chunker: "size-262144",
  hashAlg: "sha2-256",
  trickle: false,
  wrapWithDirectory: false,
});

/** Largest chunk size accepted, as in Kubo (1 MiB plus room for the block header). */
export const MAX_CHUNK_SIZE = 1_048_576;

/** Importer options for `layout`; everything not named here keeps the importer's default. */
export function importerOptions(layout: UnixFsLayout = CONTENT_LAYOUT): ImporterOptions {
  if (!Number.isSafeInteger(layout.chunkSize) || layout.chunkSize < 1 || layout.chunkSize > MAX_CHUNK_SIZE) {
    throw new InvalidInputError(`Chunk size ${layout.chunkSize} is out of range (1 to ${MAX_CHUNK_SIZE} bytes).`);
  }
  return {
    cidVersion: layout.cidVersion,
    rawLeaves: layout.rawLeaves,
    leafType: "file",
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: layout.chunkSize }),
    layout: balanced({ maxChildrenPerNode: layout.maxChildrenPerNode }),
    wrapWithDirectory: false,
    // Blocks hashed and written at once: bounds memory to a few MiB; does not affect CIDs.
    blockWriteConcurrency: 16,
  };
}

/**
 * The CID `content` gets under `layout`, computed without storing anything.
 * @example
 * (await computeCid(new TextEncoder().encode("hello world"))).toString()
 * // "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
 */
export async function computeCid(content: ContentSource, layout: UnixFsLayout = CONTENT_LAYOUT): Promise<CID> {
  const discard = { put: async (cid: CID) => cid };
  let root: CID | undefined;
  for await (const entry of importer([{ content: toAsyncIterable(content) }], discard, importerOptions(layout))) {
    root = entry.cid;
  }
  if (!root) throw new InvalidInputError("The importer produced no CID.");
  return root;
}

/** The layout a CID was most likely produced with, for re-verification of streamed bytes. */
export function layoutForCid(cid: CID): UnixFsLayout {
  return cid.version === 0 ? KUBO_DEFAULT_V0_LAYOUT : CONTENT_LAYOUT;
}
