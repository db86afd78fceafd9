// An independent, deliberately naive reimplementation of Kubo's file import for
// `ipfs add --cid-version=1 --raw-leaves --chunker=size-N` (balanced layout, 174 links per
// node), written from the UnixFS and dag-pb specs with hand-rolled protobuf. Tests compare
// the SDK's CIDs against it, so a vector is derived two ways.

import { createHash } from "node:crypto";
import { base32 } from "multiformats/bases/base32";

const RAW = 0x55;
const DAG_PB = 0x70;
const SHA2_256 = 0x12;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function field(tag: number, bytes: Uint8Array | number[]): number[] {
  return [tag, ...varint(bytes.length), ...bytes];
}

function cidBytes(codec: number, block: Uint8Array): Uint8Array {
  const digest = createHash("sha256").update(block).digest();
  return Uint8Array.from([0x01, ...varint(codec), SHA2_256, 32, ...digest]);
}

type Node = { cid: Uint8Array; tsize: number; fileSize: number };

function leaf(chunk: Uint8Array): Node {
  return { cid: cidBytes(RAW, chunk), tsize: chunk.length, fileSize: chunk.length };
}

function parent(children: Node[]): Node {
  // UnixFS Data: Type=File (field 1), filesize (field 3), blocksizes (field 4, not packed).
  const fileSize = children.reduce((n, c) => n + c.fileSize, 0);
  const unixfs = [0x08, 0x02, 0x18, ...varint(fileSize), ...children.flatMap((c) => [0x20, ...varint(c.fileSize)])];
  // PBNode: Links (field 2: Hash=1, Name=2 (empty), Tsize=3) come before Data (field 1).
  const links = children.flatMap((c) => field(0x12, [...field(0x0a, c.cid), 0x12, 0x00, 0x18, ...varint(c.tsize)]));
  const block = Uint8Array.from([...links, ...field(0x0a, unixfs)]);
  return { cid: cidBytes(DAG_PB, block), tsize: block.length + children.reduce((n, c) => n + c.tsize, 0), fileSize };
}

/** The CID Kubo gives `data` with `--cid-version=1 --raw-leaves --chunker=size-<chunkSize>`. */
export function referenceCid(data: Uint8Array, chunkSize = 262_144, maxLinks = 174): string {
  let level: Node[] = [];
  for (let offset = 0; offset < data.length || level.length === 0; offset += chunkSize) {
    level.push(leaf(data.subarray(offset, offset + chunkSize)));
  }
  if (level.length === 1) return base32.encode(level[0]!.cid);
  while (level.length > 1 || level[0]!.cid[1] === RAW) {
    const next: Node[] = [];
    for (let i = 0; i < level.length; i += maxLinks) next.push(parent(level.slice(i, i + maxLinks)));
    level = next;
  }
  return base32.encode(level[0]!.cid);
}
