// AES-256-GCM for envelope chunks, from audited implementations only: the platform's WebCrypto
// (BoringSSL in browsers, OpenSSL in Node) when present — an order of magnitude faster than
// JavaScript — and @noble/ciphers' `gcm` otherwise. Both give the same bytes (ciphertext then
// the 16-byte tag); sdk/test/crypto checks that they agree.
import { gcm } from "@noble/ciphers/aes.js";

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** One AES-256-GCM key, ready to seal and open chunks. */
export type ChunkCipher = {
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Throws when the tag does not authenticate (wrong key, nonce, AAD, or edited bytes). */
  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Uint8Array>;
};

export type AeadBackend = "webcrypto" | "noble";

/** The backend used when none is asked for: WebCrypto where the platform has it. */
export function defaultAeadBackend(): AeadBackend {
  return typeof globalThis.crypto?.subtle?.encrypt === "function" ? "webcrypto" : "noble";
}

export async function chunkCipher(key: Uint8Array, backend: AeadBackend = defaultAeadBackend()): Promise<ChunkCipher> {
  if (key.length !== KEY_BYTES) throw new RangeError(`An AES-256-GCM key is ${KEY_BYTES} bytes, not ${key.length}.`);
  if (backend === "noble") {
    return {
      seal: async (nonce, aad, plaintext) => gcm(key, nonce, aad).encrypt(plaintext),
      open: async (nonce, aad, sealed) => gcm(key, nonce, aad).decrypt(sealed),
    };
  }
  const subtle = globalThis.crypto.subtle;
  const k = await subtle.importKey("raw", key as BufferSource, "AES-GCM", false, ["encrypt", "decrypt"]);
  const params = (iv: Uint8Array, aad: Uint8Array): AesGcmParams => ({
    name: "AES-GCM",
    iv: iv as BufferSource,
    additionalData: aad as BufferSource,
    tagLength: TAG_BYTES * 8,
  });
  return {
    seal: async (nonce, aad, plaintext) => new Uint8Array(await subtle.encrypt(params(nonce, aad), k, plaintext as BufferSource)),
    open: async (nonce, aad, sealed) => new Uint8Array(await subtle.decrypt(params(nonce, aad), k, sealed as BufferSource)),
  };
}
