// Reads a UnixFS file from a block source as a pull stream: blocks are fetched only as the
// consumer asks for bytes, with a small read-ahead window, so a slow reader (an HTTP client
// on a slow link) never makes the store hold more than a few blocks. The stock exporter
// pushes into an unbounded queue, which is why this exists.

import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { identity } from "multiformats/hashes/identity";
import { ContentIntegrityError, ContentStoreError } from "./errors.ts";

export type BlockGetter = (cid: CID, options: { signal?: AbortSignal }) => Promise<Uint8Array>;

export type ReadFileOptions = {
  offset?: number;
  length?: number;
  signal?: AbortSignal;
  /** Sibling blocks fetched ahead of the consumer. Default 8 (2 MiB of 256 KiB chunks). */
  readAhead?: number;
};

type Range = { start: number; end: number };

/** Streams the bytes of the UnixFS file (or raw block) `root`, verifying its declared size. */
export async function* readUnixFsFile(
  getBlock: BlockGetter,
  root: CID,
  options: ReadFileOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const readAhead = Math.max(1, options.readAhead ?? 8);
  const get = (cid: CID) =>
    cid.multihash.code === identity.code ? Promise.resolve(cid.multihash.digest) : getBlock(cid, { signal: options.signal });

  // The root is read before anything is yielded, so a missing CID fails on the first pull.
  const rootBlock = await get(root);
  const size = root.code === raw.code ? rootBlock.length : Number(decodeFile(root, rootBlock).unixfs.fileSize());
  const start = Math.min(options.offset ?? 0, size);
  const end = options.length === undefined ? size : Math.min(size, start + options.length);
  if (start >= end) return;
  let produced = 0;
  for await (const chunk of walk(root, rootBlock, 0, { start, end })) {
    produced += chunk.length;
    yield chunk;
  }
  if (produced !== end - start) {
    throw new ContentIntegrityError(`File ${root} holds ${produced} bytes in the requested range, not ${end - start}.`, {
      details: "The DAG's declared sizes disagree with its blocks.",
      meta: { cid: root.toString() },
    });
  }

  async function* walk(cid: CID, block: Uint8Array, position: number, range: Range): AsyncGenerator<Uint8Array> {
    if (cid.code === raw.code) {
      yield* slice(block, position, range);
      return;
    }
    const { node, unixfs } = decodeFile(cid, block);
    if (unixfs.data && unixfs.data.length > 0) {
      yield* slice(unixfs.data, position, range);
      position += unixfs.data.length;
    }
    if (node.Links.length !== unixfs.blockSizes.length) {
      throw new ContentIntegrityError(`Node ${cid} has ${node.Links.length} links but ${unixfs.blockSizes.length} block sizes.`, {
        meta: { cid: cid.toString() },
      });
    }
    const children: Array<{ cid: CID; position: number }> = [];
    node.Links.forEach((link, i) => {
      const childSize = Number(unixfs.blockSizes[i]);
      if (position < range.end && position + childSize > range.start) children.push({ cid: link.Hash, position });
      position += childSize;
    });
    const pending: Array<Promise<Uint8Array>> = [];
    let next = 0;
    const fill = () => {
      while (next < children.length && pending.length < readAhead) {
        const promise = get(children[next]!.cid);
        promise.catch(() => {}); // surfaced when awaited below
        pending.push(promise);
        next += 1;
      }
    };
    for (const child of children) {
      fill();
      const childBlock = await pending.shift()!;
      yield* walk(child.cid, childBlock, child.position, range);
    }
  }
}

function* slice(bytes: Uint8Array, position: number, range: Range): Generator<Uint8Array> {
  const from = Math.max(0, range.start - position);
  const to = Math.min(bytes.length, range.end - position);
  if (to > from) yield from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to);
}

function decodeFile(cid: CID, block: Uint8Array): { node: dagPb.PBNode; unixfs: UnixFS } {
  if (cid.code !== dagPb.code) {
    throw new ContentStoreError(`Content ${cid} is not a UnixFS file (codec 0x${cid.code.toString(16)}).`, {
      code: "CONTENT_NOT_A_FILE",
      meta: { cid: cid.toString() },
    });
  }
  let node: dagPb.PBNode;
  let unixfs: UnixFS;
  try {
    node = dagPb.decode(block);
    if (!node.Data) throw new Error("no UnixFS data");
    unixfs = UnixFS.unmarshal(node.Data);
  } catch (cause) {
    throw new ContentStoreError(`Content ${cid} is not a UnixFS file.`, {
      code: "CONTENT_NOT_A_FILE",
      cause,
      meta: { cid: cid.toString() },
    });
  }
  if (unixfs.type !== "file" && unixfs.type !== "raw") {
    throw new ContentStoreError(`Content ${cid} is a UnixFS ${unixfs.type}, not a file.`, {
      code: "CONTENT_NOT_A_FILE",
      meta: { cid: cid.toString(), type: unixfs.type },
    });
  }
  return { node, unixfs };
}
