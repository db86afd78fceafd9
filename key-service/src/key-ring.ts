// The Datanet's X25519 key versions, each in its own encrypted keystore at rest
// (<dataDir>/keys/v<N>.json, Web3 Secret Storage v3). Version 1 is generated at first start;
// rotation adds a version and keeps every older one, so envelopes sealed for an old key stay
// readable. Secrets live decrypted in this process only.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import {
  decryptKeystore,
  encryptKeystore,
  encryptionKeyPairFromSecret,
  generateEncryptionKeyPair,
  writeKeystoreFile,
  type KeystoreV3,
} from "@modelfactory/sdk/node";
import { ConfigError } from "./errors.ts";

export type KeyVersion = { version: number; publicKey: Hex; secretKey: Uint8Array };

/** A keystore document plus the public key it belongs to (checked on load). */
type StoredKey = KeystoreV3 & { x25519PublicKey: Hex; datanetId: string; keyVersion: number };

export class KeyRing {
  private readonly versions: KeyVersion[];
  private readonly dir: string;
  private readonly datanetId: bigint;
  private readonly password: string;
  private readonly scryptN: number;

  private constructor(dir: string, datanetId: bigint, password: string, scryptN: number, versions: KeyVersion[]) {
    this.dir = dir;
    this.datanetId = datanetId;
    this.password = password;
    this.scryptN = scryptN;
    this.versions = versions;
  }

  /** Loads every version from `dataDir/keys`, generating version 1 when there is none. */
  static async open(options: { dataDir: string; datanetId: bigint; password: string; scryptN: number }): Promise<KeyRing> {
    const dir = path.join(options.dataDir, "keys");
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^v\d+\.json$/.test(f));
    const versions: KeyVersion[] = [];
    for (const f of files) {
      const file = path.join(dir, f);
      const doc = JSON.parse(await readFile(file, "utf8")) as StoredKey;
      if (doc.datanetId !== String(options.datanetId)) {
        throw new ConfigError(
          `${file} holds the key of Datanet ${doc.datanetId}, not ${options.datanetId}: point MF_KS_DATA_DIR at this Datanet's folder.`,
        );
      }
      let secret: Hex;
      try {
        secret = decryptKeystore(doc, options.password, file);
      } catch (cause) {
        throw new ConfigError(`Cannot open ${file} with MF_KS_PASSWORD.`, { cause, code: "KEYSTORE_PASSWORD" });
      }
      const pair = encryptionKeyPairFromSecret(hexToBytes(secret));
      if (bytesToHex(pair.publicKey) !== doc.x25519PublicKey.toLowerCase())
        throw new ConfigError(`${file}: the secret does not give the public key it records.`);
      versions.push({ version: doc.keyVersion, publicKey: doc.x25519PublicKey.toLowerCase() as Hex, secretKey: pair.secretKey });
    }
    versions.sort((a, b) => a.version - b.version);
    const ring = new KeyRing(dir, options.datanetId, options.password, options.scryptN, versions);
    if (versions.length === 0) await ring.rotate();
    return ring;
  }

  /** Generates the next version, stores it encrypted and returns it. */
  async rotate(): Promise<KeyVersion> {
    const pair = generateEncryptionKeyPair();
    const version = (this.versions.at(-1)?.version ?? 0) + 1;
    const publicKey = bytesToHex(pair.publicKey);
    const doc: StoredKey = {
      ...encryptKeystore(pair.secretKey, this.password, { scryptN: this.scryptN }),
      x25519PublicKey: publicKey,
      datanetId: String(this.datanetId),
      keyVersion: version,
    };
    await writeKeystoreFile(path.join(this.dir, `v${version}.json`), doc);
    const kv = { version, publicKey, secretKey: pair.secretKey };
    this.versions.push(kv);
    return kv;
  }

  /** The newest version: what new contributions should be sealed for. */
  get current(): KeyVersion {
    return this.versions.at(-1)!;
  }

  /** Every version's public key, oldest first. */
  list(): { version: number; publicKey: Hex }[] {
    return this.versions.map(({ version, publicKey }) => ({ version, publicKey }));
  }

  /** The version whose public key is `publicKey`, if this ring holds it. */
  find(publicKey: Hex): KeyVersion | undefined {
    const k = publicKey.toLowerCase();
    return this.versions.find((v) => v.publicKey === k);
  }
}
