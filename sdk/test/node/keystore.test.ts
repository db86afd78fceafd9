// Keystores: the Web3 Secret Storage v3 spec's pbkdf2 test vector, round trips through our
// writer with scrypt, and the refusals a daemon reports at start.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  decryptKeystore,
  decryptKeystoreFile,
  encryptKeystore,
  KeystoreError,
  writeKeystoreFile,
  type KeystoreV3,
} from "../../src/node.ts";

// From the Web3 Secret Storage definition (ethereum/wiki), password "testpassword".
const PBKDF2_VECTOR = {
  version: 3,
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
    ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    kdf: "pbkdf2",
    kdfparams: { c: 262144, dklen: 32, prf: "hmac-sha256", salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd" },
    mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
  },
} as KeystoreV3;

describe("keystore (Web3 Secret Storage v3)", () => {
  it("decrypts the spec's pbkdf2 test vector", () => {
    assert.equal(decryptKeystore(PBKDF2_VECTOR, "testpassword"), "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");
  });

  it("writes a scrypt keystore, owner-readable only, that decrypts back to the secret", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "mf-keystore-"));
    const file = path.join(dir, "sub", "key.json");
    const secret = "0x1111111111111111111111111111111111111111111111111111111111111111";
    const json = encryptKeystore(secret, "pw", { scryptN: 1024 });
    assert.equal(json.crypto.kdf, "scrypt");
    await writeKeystoreFile(file, json);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await decryptKeystoreFile(file, "pw"), secret);
    assert.doesNotMatch(await readFile(file, "utf8"), /1111111111/);
  });

  it("refuses a wrong password, an unreadable file, another version, cipher or kdf", async () => {
    const json = encryptKeystore(new Uint8Array(32).fill(7), "right", { scryptN: 1024 });
    assert.throws(
      () => decryptKeystore(json, "wrong"),
      (e: unknown) => e instanceof KeystoreError && e.code === "KEYSTORE_PASSWORD",
    );
    await assert.rejects(
      decryptKeystoreFile("/nonexistent/key.json", "x"),
      (e: unknown) => e instanceof KeystoreError && e.code === "KEYSTORE_UNREADABLE",
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), "mf-keystore-"));
    await writeFile(path.join(dir, "bad.json"), "not json");
    await assert.rejects(decryptKeystoreFile(path.join(dir, "bad.json"), "x"), /Cannot read the keystore file/);
    assert.throws(() => decryptKeystore({ ...json, version: 2 } as unknown as KeystoreV3, "right"), /not a version 3 keystore/);
    assert.throws(() => decryptKeystore({ ...json, crypto: { ...json.crypto, cipher: "aes-128-cbc" } }, "right"), /only aes-128-ctr/);
    assert.throws(
      () => decryptKeystore({ ...json, crypto: { ...json.crypto, kdf: "argon2" } } as unknown as KeystoreV3, "right"),
      /unknown key derivation argon2/,
    );
    const pb = {
      ...PBKDF2_VECTOR,
      crypto: { ...PBKDF2_VECTOR.crypto, kdfparams: { ...PBKDF2_VECTOR.crypto.kdfparams, prf: "hmac-sha1" } },
    } as KeystoreV3;
    assert.throws(() => decryptKeystore(pb, "testpassword"), /only hmac-sha256/);
  });
});
