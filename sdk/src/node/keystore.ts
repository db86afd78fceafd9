// Ethereum keystore files (Web3 Secret Storage v3: scrypt or pbkdf2, aes-128-ctr, keccak MAC),
// read and written, so daemons (trainer node, key service) never keep a raw secret in their
// environment or on disk. The secret is any 32 bytes: a wallet key or an X25519 secret.
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, randomUUID, scryptSync, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { bytesToHex, hexToBytes, keccak256, type Hex } from "viem";
import { ModelFactoryError, type ModelFactoryErrorOptions } from "../errors.ts";

/** A keystore cannot be read, is not v3, or the password is wrong (`KEYSTORE_PASSWORD`). */
export class KeystoreError extends ModelFactoryError {
  override name = "KeystoreError";
  constructor(message: string, options: ModelFactoryErrorOptions = {}) {
    super(message, { code: "KEYSTORE_INVALID", ...options });
  }
}

type KdfParams =
  | { kdf: "scrypt"; kdfparams: { dklen: number; n: number; r: number; p: number; salt: string } }
  | { kdf: "pbkdf2"; kdfparams: { dklen: number; c: number; prf: string; salt: string } };

/** A Web3 Secret Storage v3 document. */
export type KeystoreV3 = {
  version: 3;
  id?: string;
  address?: string;
  crypto: { cipher: string; ciphertext: string; cipherparams: { iv: string }; mac: string } & KdfParams;
};

export type EncryptKeystoreOptions = {
  /** scrypt cost N (default 2^17, geth's "standard"); tests may lower it. */
  scryptN?: number;
  /** An address to record in the document (wallet keys); omitted for other secrets. */
  address?: string;
};

/** Reads `file` and returns the secret, or throws KeystoreError naming what is wrong. */
export async function decryptKeystoreFile(file: string, password: string): Promise<Hex> {
  let json: KeystoreV3;
  try {
    json = JSON.parse(await readFile(file, "utf8")) as KeystoreV3;
  } catch (cause) {
    throw new KeystoreError(`Cannot read the keystore file ${file}.`, {
      code: "KEYSTORE_UNREADABLE",
      cause,
      details: "Point the setting at a JSON keystore (Web3 Secret Storage v3).",
    });
  }
  return decryptKeystore(json, password, file);
}

function derive(password: string, c: KeystoreV3["crypto"], source: string): Buffer {
  const hex = (s: string) => hexToBytes(`0x${s.replace(/^0x/, "")}`);
  if (c.kdf === "scrypt") {
    const p = c.kdfparams;
    return scryptSync(password.normalize("NFKC"), hex(p.salt), p.dklen, { N: p.n, r: p.r, p: p.p, maxmem: 256 * p.n * p.r + 1024 * 1024 });
  }
  if (c.kdf === "pbkdf2") {
    const p = c.kdfparams;
    if (p.prf !== "hmac-sha256") throw new KeystoreError(`${source} uses pbkdf2 with ${p.prf}; only hmac-sha256 is supported.`);
    return pbkdf2Sync(password.normalize("NFKC"), hex(p.salt), p.c, p.dklen, "sha256");
  }
  throw new KeystoreError(`${source} uses an unknown key derivation ${(c as { kdf: string }).kdf}.`);
}

function mac(key: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return hexToBytes(keccak256(new Uint8Array([...key.subarray(16, 32), ...ciphertext])));
}

/** Decrypts a parsed keystore; `source` names it in errors. */
export function decryptKeystore(json: KeystoreV3, password: string, source = "keystore"): Hex {
  const c =
    (json as { crypto?: KeystoreV3["crypto"]; Crypto?: KeystoreV3["crypto"] }).crypto ?? (json as { Crypto?: KeystoreV3["crypto"] }).Crypto;
  if (json?.version !== 3 || !c) throw new KeystoreError(`${source} is not a version 3 keystore.`);
  if (c.cipher !== "aes-128-ctr") throw new KeystoreError(`${source} uses cipher ${c.cipher}; only aes-128-ctr is supported.`);
  const hex = (s: string) => hexToBytes(`0x${s.replace(/^0x/, "")}`);
  const key = derive(password, c, source);
  const ciphertext = hex(c.ciphertext);
  if (!timingSafeEqual(mac(key, ciphertext), hex(c.mac)))
    throw new KeystoreError(`Wrong password for ${source}.`, { code: "KEYSTORE_PASSWORD" });
  const decipher = createDecipheriv("aes-128-ctr", key.subarray(0, 16), hex(c.cipherparams.iv));
  return bytesToHex(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
}

/** Encrypts a secret under `password` with scrypt (r 8, p 1) and a fresh salt and IV. */
export function encryptKeystore(secret: Hex | Uint8Array, password: string, options: EncryptKeystoreOptions = {}): KeystoreV3 {
  const plain = typeof secret === "string" ? hexToBytes(secret) : secret;
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const kdfparams = { dklen: 32, n: options.scryptN ?? 2 ** 17, r: 8, p: 1, salt: salt.toString("hex") };
  const key = derive(password, { kdf: "scrypt", kdfparams } as KeystoreV3["crypto"], "keystore");
  const cipher = createCipheriv("aes-128-ctr", key.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return {
    version: 3,
    id: randomUUID(),
    ...(options.address ? { address: options.address.replace(/^0x/, "").toLowerCase() } : {}),
    crypto: {
      cipher: "aes-128-ctr",
      ciphertext: ciphertext.toString("hex"),
      cipherparams: { iv: iv.toString("hex") },
      kdf: "scrypt",
      kdfparams,
      mac: Buffer.from(mac(key, ciphertext)).toString("hex"),
    },
  };
}

/** Writes a keystore document readable by its owner only, atomically (temp file + rename). */
export async function writeKeystoreFile(file: string, json: KeystoreV3): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(json, null, 2) + "\n", { mode: 0o600 });
  await rename(tmp, file);
}
