// Encryption keys of the envelope format (sdk/ENVELOPE.md): X25519 key pairs (a Datanet's, held
// by its key service; a contributor's or a requester's), and a 32-byte data key wrapped to one
// of them by ephemeral-static ECDH → HKDF-SHA256 → AES-256-GCM, as HPKE's base mode does.
// X25519 is @noble/curves', HKDF @noble/hashes', the wrap @noble/ciphers' (all audited).
import { gcm } from "@noble/ciphers/aes.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, type Address, type Hex } from "viem";
import { EnvelopeError } from "./errors.ts";

export const X25519_KEY_BYTES = 32;
export const WRAPPED_KEY_BYTES = 48;
const WRAP_INFO = new TextEncoder().encode("modelfactory.envelope/1 key wrap");
const WRAP_AAD = new TextEncoder().encode("modelfactory.envelope/1");
const WALLET_KEY_INFO = new TextEncoder().encode("modelfactory.x25519/1 from wallet signature");

/** An X25519 key pair; `publicKey` is what others encrypt to. */
export type EncryptionKeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

/** A data key wrapped to one public key: what an envelope lists per recipient and a key service hands out. */
export type WrappedKey = {
  /** The recipient's X25519 public key (hex, 32 bytes). */
  publicKey: Hex;
  /** The sender's one-time X25519 public key (hex, 32 bytes). */
  ephemeralKey: Hex;
  /** AES-256-GCM of the 32-byte data key under the derived key-encryption key (hex, 48 bytes). */
  wrappedKey: Hex;
};

/** A fresh random key pair (the platform's CSPRNG). */
export function generateEncryptionKeyPair(): EncryptionKeyPair {
  const secretKey = x25519.utils.randomSecretKey();
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** The key pair of a 32-byte X25519 secret. */
export function encryptionKeyPairFromSecret(secretKey: Uint8Array): EncryptionKeyPair {
  if (secretKey.length !== X25519_KEY_BYTES)
    throw new EnvelopeError(`An X25519 secret key is ${X25519_KEY_BYTES} bytes, not ${secretKey.length}.`, { code: "ENVELOPE_BAD_KEY" });
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/**
 * The message a wallet signs to derive its owner's encryption key. Wallets sign with
 * deterministic ECDSA (RFC 6979), so the same account always derives the same key, and the
 * key never leaves the browser: nothing is stored.
 */
export function encryptionKeyMessage(account: Address, chainId: number): string {
  return [
    "ModelFactory encryption key",
    "",
    `Sign to derive the key that encrypts and decrypts your ModelFactory data for account ${account.toLowerCase()} on chain ${chainId}.`,
    "The key stays in this browser. Signing costs nothing and sends no transaction.",
    "",
    "Version: 1",
  ].join("\n");
}

/** The key pair derived from a wallet's signature of {@link encryptionKeyMessage}. */
export function encryptionKeyFromSignature(signature: Hex): EncryptionKeyPair {
  const sig = hexToBytes(signature);
  if (sig.length !== 65) throw new EnvelopeError(`A wallet signature is 65 bytes, not ${sig.length}.`, { code: "ENVELOPE_BAD_KEY" });
  return encryptionKeyPairFromSecret(hkdf(sha256, sig, new Uint8Array(0), WALLET_KEY_INFO, X25519_KEY_BYTES));
}

function kek(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array): Uint8Array {
  const salt = new Uint8Array(64);
  salt.set(ephemeralPublic, 0);
  salt.set(recipientPublic, 32);
  return hkdf(sha256, shared, salt, WRAP_INFO, 32);
}

function publicKeyBytes(key: Uint8Array | Hex, what: string): Uint8Array {
  const bytes = typeof key === "string" ? hexToBytes(key) : key;
  if (bytes.length !== X25519_KEY_BYTES)
    throw new EnvelopeError(`The ${what} must be a ${X25519_KEY_BYTES}-byte X25519 public key, not ${bytes.length} bytes.`, {
      code: "ENVELOPE_BAD_KEY",
    });
  return bytes;
}

/**
 * Wraps `dataKey` to `recipientPublicKey`. `ephemeralSecret` is fresh randomness unless given
 * (only test vectors give it). Each wrap has its own key-encryption key, so the fixed nonce of
 * the single AES-GCM call is never reused.
 */
export function wrapDataKey(dataKey: Uint8Array, recipientPublicKey: Uint8Array | Hex, ephemeralSecret?: Uint8Array): WrappedKey {
  if (dataKey.length !== 32) throw new EnvelopeError(`A data key is 32 bytes, not ${dataKey.length}.`, { code: "ENVELOPE_BAD_KEY" });
  const recipient = publicKeyBytes(recipientPublicKey, "recipient key");
  const eph = ephemeralSecret ? encryptionKeyPairFromSecret(ephemeralSecret) : generateEncryptionKeyPair();
  const shared = x25519.getSharedSecret(eph.secretKey, recipient);
  const wrapped = gcm(kek(shared, eph.publicKey, recipient), new Uint8Array(12), WRAP_AAD).encrypt(dataKey);
  return { publicKey: bytesToHex(recipient), ephemeralKey: bytesToHex(eph.publicKey), wrappedKey: bytesToHex(wrapped) };
}

/** Unwraps a data key with the recipient's secret key; throws ENVELOPE_NOT_A_RECIPIENT when it is not theirs. */
export function unwrapDataKey(wrapped: WrappedKey, secretKey: Uint8Array): Uint8Array {
  const me = encryptionKeyPairFromSecret(secretKey);
  const recipient = publicKeyBytes(wrapped.publicKey, "recipient key");
  if (bytesToHex(me.publicKey) !== bytesToHex(recipient)) {
    throw new EnvelopeError("This key was wrapped for another public key.", {
      code: "ENVELOPE_NOT_A_RECIPIENT",
      meta: { publicKey: wrapped.publicKey },
    });
  }
  const ephemeral = publicKeyBytes(wrapped.ephemeralKey, "ephemeral key");
  const body = hexToBytes(wrapped.wrappedKey);
  if (body.length !== WRAPPED_KEY_BYTES)
    throw new EnvelopeError(`A wrapped key is ${WRAPPED_KEY_BYTES} bytes, not ${body.length}.`, { code: "ENVELOPE_MALFORMED" });
  try {
    return gcm(kek(x25519.getSharedSecret(me.secretKey, ephemeral), ephemeral, recipient), new Uint8Array(12), WRAP_AAD).decrypt(body);
  } catch (cause) {
    throw new EnvelopeError("The wrapped data key does not authenticate: it was altered or is not for this key.", {
      code: "ENVELOPE_AUTH_FAILED",
      cause,
    });
  }
}
