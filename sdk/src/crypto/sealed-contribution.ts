// A contribution to a permissioned Datanet, sealed: the envelope's plaintext is a random 32-byte
// salt followed by the contribution's canonical bytes, and the on-chain content hash is
// sha256(salt ‖ canonical bytes). The hash commits to exactly what a trainer trains on, yet
// reveals nothing guessable: the salt is inside the envelope. Open Datanets store the canonical
// bytes in the clear, hashed without a salt.
import { randomBytes } from "@noble/ciphers/utils.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, type Hex } from "viem";
import { EnvelopeError } from "./errors.ts";
import { decryptEnvelope, encryptEnvelope, type EncryptEnvelopeOptions, type EnvelopeKey } from "./envelope.ts";

export const CONTENT_SALT_BYTES = 32;

export type SealedContribution = {
  /** sha256(salt ‖ canonical bytes): the on-chain content hash. */
  contentHash: Hex;
  /** The envelope's bytes, streamed; store them and register their CID. */
  envelope: AsyncGenerator<Uint8Array>;
};

/**
 * Seals canonical bytes for the given recipients (the Datanet's key and the contributor's).
 * @example
 * const { contentHash, envelope } = sealContribution(prepared.bytes, { recipients: [datanetKey, mine.publicKey] })
 */
export function sealContribution(canonical: Uint8Array, options: EncryptEnvelopeOptions & { salt?: Uint8Array }): SealedContribution {
  const salt = options.salt ?? randomBytes(CONTENT_SALT_BYTES);
  if (salt.length !== CONTENT_SALT_BYTES)
    throw new EnvelopeError(`The content salt is ${CONTENT_SALT_BYTES} bytes, not ${salt.length}.`, { code: "ENVELOPE_BAD_KEY" });
  const contentHash = bytesToHex(sha256.create().update(salt).update(canonical).digest());
  return { contentHash, envelope: encryptEnvelope([salt, canonical], options) };
}

export type OpenedContribution = { salt: Uint8Array; contentHash: Hex };

/**
 * Decrypts a sealed contribution as a stream of its canonical bytes (salt removed), hashing as it
 * goes; `done()` resolves with the salt and content hash once the stream is consumed, so a
 * trainer compares it with the chain's before trusting what it read.
 */
export function openContribution(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  key: EnvelopeKey,
): { bytes: AsyncGenerator<Uint8Array>; done: () => Promise<OpenedContribution> } {
  const hash = sha256.create();
  const salt = new Uint8Array(CONTENT_SALT_BYTES);
  let saltFill = 0;
  let resolve!: (v: OpenedContribution) => void;
  let reject!: (e: unknown) => void;
  const finished = new Promise<OpenedContribution>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  finished.catch(() => undefined);
  async function* bytes(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of decryptEnvelope(source, key)) {
        hash.update(chunk);
        let body = chunk;
        if (saltFill < CONTENT_SALT_BYTES) {
          const n = Math.min(CONTENT_SALT_BYTES - saltFill, chunk.length);
          salt.set(chunk.subarray(0, n), saltFill);
          saltFill += n;
          body = chunk.subarray(n);
        }
        if (body.length) yield body;
      }
      if (saltFill < CONTENT_SALT_BYTES)
        throw new EnvelopeError("The sealed contribution is shorter than its salt.", { code: "ENVELOPE_MALFORMED" });
      resolve({ salt, contentHash: bytesToHex(hash.digest()) });
    } catch (error) {
      reject(error);
      throw error;
    }
  }
  return { bytes: bytes(), done: () => finished };
}
