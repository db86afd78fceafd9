// The key service's configuration: every MF_KS_* setting read once at start, validated, with
// defaults that work against `npm run dev`. Every error names the setting.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "./errors.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

export type KeyServiceConfig = {
  /** JSON-RPC URL of the chain (MF_KS_RPC_URL). */
  rpcUrl: string;
  /** deployments/<chainId>.json (MF_KS_DEPLOYMENT). */
  deploymentFile: string;
  /** The one Datanet this service holds the key of (MF_KS_DATANET_ID). */
  datanetId: bigint;
  /** Kubo RPC base URL of the content store the envelopes are in (MF_KS_CONTENT_API_URL). */
  contentApiUrl: string;
  /** Keystores of every key version and the audit log (MF_KS_DATA_DIR). */
  dataDir: string;
  /** Password of the keystores (MF_KS_PASSWORD or MF_KS_PASSWORD_FILE). */
  password: string;
  /** scrypt cost of new keystores (MF_KS_SCRYPT_N, a power of two; default 2^17). */
  scryptN: number;
  host: string;
  port: number;
  /** The URL requesters use; its host is the SIWE domain every request must name (MF_KS_PUBLIC_URL). */
  publicUrl: string;
  /** Browser origins allowed by CORS, comma-separated (MF_KS_CORS_ORIGINS): the GUI's. */
  corsOrigins: string[];
  /** Most contributions per request (MF_KS_MAX_BATCH). */
  maxBatch: number;
  /** How long a nonce may wait for its signed request, ms (MF_KS_NONCE_TTL_MS). */
  nonceTtlMs: number;
};

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${raw}".`);
  return n;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  try {
    const u = new URL(raw);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)");
    return raw.replace(/\/$/, "");
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, not "${raw}".`);
  }
}

/** Reads and validates the configuration from `env`. */
export async function loadConfig(env: Env = process.env): Promise<KeyServiceConfig> {
  const datanetRaw = env.MF_KS_DATANET_ID;
  if (!datanetRaw) throw new ConfigError("MF_KS_DATANET_ID is not set: name the Datanet whose key this service holds.");
  if (!/^[1-9][0-9]*$/.test(datanetRaw)) throw new ConfigError(`MF_KS_DATANET_ID must be a Datanet id (1 or more), not "${datanetRaw}".`);
  let password = env.MF_KS_PASSWORD;
  if (password === undefined && env.MF_KS_PASSWORD_FILE) {
    password = await readFile(env.MF_KS_PASSWORD_FILE, "utf8").then(
      (s) => s.replace(/\r?\n$/, ""),
      (cause: unknown) => {
        throw new ConfigError(`MF_KS_PASSWORD_FILE ${env.MF_KS_PASSWORD_FILE} cannot be read.`, { cause });
      },
    );
  }
  if (!password)
    throw new ConfigError("Set MF_KS_PASSWORD or MF_KS_PASSWORD_FILE: the keystore holding the Datanet's secret key is encrypted with it.");
  const scryptN = int(env, "MF_KS_SCRYPT_N", 2 ** 17, 2 ** 10, 2 ** 20);
  if ((scryptN & (scryptN - 1)) !== 0) throw new ConfigError(`MF_KS_SCRYPT_N must be a power of two, not ${scryptN}.`);
  const host = env.MF_KS_HOST || "127.0.0.1";
  const port = int(env, "MF_KS_PORT", 8790, 0, 65_535);
  const origins = (env.MF_KS_CORS_ORIGINS ?? "http://127.0.0.1:5173,http://localhost:5173")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (!/^https?:\/\/[^/]+$/.test(o))
      throw new ConfigError(`MF_KS_CORS_ORIGINS holds "${o}", which is not an origin (scheme://host[:port]).`);
  }
  return {
    rpcUrl: url(env, "MF_KS_RPC_URL", "http://127.0.0.1:8545"),
    deploymentFile: path.resolve(env.MF_KS_DEPLOYMENT || path.join(REPO_ROOT, "deployments/31337.json")),
    datanetId: BigInt(datanetRaw),
    contentApiUrl: url(env, "MF_KS_CONTENT_API_URL", "http://127.0.0.1:5001"),
    dataDir: path.resolve(env.MF_KS_DATA_DIR || path.join(REPO_ROOT, `key-service/.data/datanet-${datanetRaw}`)),
    password,
    scryptN,
    host,
    port,
    publicUrl: url(env, "MF_KS_PUBLIC_URL", `http://${host}:${port || 8790}`),
    corsOrigins: origins,
    maxBatch: int(env, "MF_KS_MAX_BATCH", 500, 1, 500),
    nonceTtlMs: int(env, "MF_KS_NONCE_TTL_MS", 10 * 60_000, 1000, 24 * 60 * 60_000),
  };
}
