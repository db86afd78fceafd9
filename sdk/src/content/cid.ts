// CID parsing and block verification. Every block read from disk or the network is hashed
// and compared with the multihash in its CID before it is used.

import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import { sha256 } from "multiformats/hashes/sha2";
import { equals } from "multiformats/bytes";
import { ContentIntegrityError, InvalidCidError } from "./errors.ts";

/** Accepts a CID, its string form or an `/ipfs/<cid>` path. */
export function toCid(value: CID | string): CID {
  if (typeof value !== "string") {
    const cid = CID.asCID(value);
    if (cid) return cid;
    throw new InvalidCidError(value);
  }
  try {
    return CID.parse(value.trim().replace(/^\/ipfs\//, ""));
  } catch (cause) {
    throw new InvalidCidError(value, { cause });
  }
}

/** Throws {@link ContentIntegrityError} unless `bytes` hash to the multihash in `cid`. */
export async function verifyBlock(cid: CID, bytes: Uint8Array): Promise<void> {
  const code = cid.multihash.code;
  let digest: Uint8Array;
  if (code === sha256.code) digest = (await sha256.digest(bytes)).digest;
  else if (code === identity.code) digest = identity.digest(bytes).digest;
  else {
    throw new ContentIntegrityError(`Block ${cid} uses hash function 0x${code.toString(16)}, which this store cannot verify.`, {
      details: "Only sha2-256 (and identity) CIDs are supported.",
      meta: { cid: cid.toString(), hashCode: code },
    });
  }
  if (!equals(digest, cid.multihash.digest)) {
    throw new ContentIntegrityError(`Block ${cid} does not match its CID.`, {
      details: "The stored bytes are corrupted or were tampered with.",
      meta: { cid: cid.toString() },
    });
  }
}
