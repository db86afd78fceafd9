// Decrypts an Ethereum keystore file (Web3 Secret Storage v3: scrypt or pbkdf2, aes-128-ctr),
// so operators never put a raw private key in the environment of a production node.
import { createDecipheriv, pbkdf2Sync, scryptSync, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { bytesToHex, hexToBytes, keccak256, type Hex } from "viem";
import { ConfigError } from "./errors.ts";

type KdfParams =
  | { kdf: "scrypt"; kdfparams: { dklen: number; n: number; r: number; p: number; salt: string } }
  | { kdf: "pbkdf2"; kdfparams: { dklen: number; c: number; prf: string; salt: string } };

type KeystoreV3 = {
  version: 3;
  crypto: { cipher: string; ciphertext: string; cipherparams: { iv: string }; mac: string } & KdfParams;
};

/** Reads `file` and returns the private key, or throws ConfigError naming what is wrong. */
export async function decryptKeystoreFile(file: string, password: string): Promise<Hex> {
  let json: KeystoreV3;
  try {
    json = JSON.parse(await readFile(file, "utf8")) as KeystoreV3;
  } catch (cause) {
    throw new ConfigError(`Cannot read the keystore file ${file}.`, { cause, details: "Check MF_KEYSTORE points at a JSON keystore (Web3 Secret Storage v3)." });
  }
  return decryptKeystore(json, password, file);
}

export function decryptKeystore(json: KeystoreV3, password: string, source = "keystore"): Hex {
  const c = (json as { crypto?: KeystoreV3["crypto"]; Crypto?: KeystoreV3["crypto"] }).crypto ?? (json as { Crypto?: KeystoreV3["crypto"] }).Crypto;
  if (json?.version !== 3 || !c) throw new ConfigError(`${source} is not a version 3 keystore.`);
  if (c.cipher !== "aes-128-ctr") throw new ConfigError(`${source} uses cipher ${c.cipher}; only aes-128-ctr is supported.`);
  const hex = (s: string) => hexToBytes(`0x${s.replace(/^0x/, "")}`);
  let key: Buffer;
  if (c.kdf === "scrypt") {
    const p = c.kdfparams;
    key = scryptSync(password.normalize("NFKC"), hex(p.salt), p.dklen, { N: p.n, r: p.r, p: p.p, maxmem: 256 * p.n * p.r + 1024 * 1024 });
  } else if (c.kdf === "pbkdf2") {
    const p = c.kdfparams;
    if (p.prf !== "hmac-sha256") throw new ConfigError(`${source} uses pbkdf2 with ${p.prf}; only hmac-sha256 is supported.`);
    key = pbkdf2Sync(password.normalize("NFKC"), hex(p.salt), p.c, p.dklen, "sha256");
  } else {
    throw new ConfigError(`${source} uses an unknown key derivation ${(c as { kdf: string }).kdf}.`);
  }
  const ciphertext = hex(c.ciphertext);
  const mac = hexToBytes(keccak256(new Uint8Array([...key.subarray(16, 32), ...ciphertext])));
  if (!timingSafeEqual(mac, hex(c.mac))) throw new ConfigError(`Wrong password for ${source}.`, { code: "KEYSTORE_PASSWORD" });
  const decipher = createDecipheriv("aes-128-ctr", key.subarray(0, 16), hex(c.cipherparams.iv));
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return bytesToHex(plain);
}
