// The node's configuration, read once at start from the environment (and flags mapped onto
// it), validated, with defaults that work against `npm run dev`. Every error names the setting.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ConfigError } from "./errors.ts";
import { decryptKeystoreFile } from "@modelfactory/sdk/node";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

export type TrainerNodeConfig = {
  rpcUrl: string;
  deploymentFile: string;
  operatorKey: Hex;
  /** Kubo RPC base URL of the content store (the local content API in development). */
  contentApiUrl: string;
  modelsDir: string;
  dataDir: string;
  /** Command (argv) that starts the model worker, and its working directory. */
  workerCommand: string[];
  workerCwd: string;
  /** A worker silent this long during a command is considered hung. */
  workerHangMs: number;
  /** How long a worker may take to start (import torch, measure its matmul peak). */
  workerStartMs: number;
  apiHost: string;
  apiPort: number;
  /** The URL clients reach the API at; announced on chain and used as the SIWE domain. */
  publicUrl: string;
  corsOrigins: string[];
  concurrency: number;
  pollIntervalMs: number;
  receiptBatchSize: number;
  receiptBatchMs: number;
  /** Announce (admit/update) this node's endpoint on chain at start. */
  announce: boolean;
  /** Data-parallel training processes per job (the worker's `processes`: one per GPU); 1 = in the worker. */
  workerProcesses?: number;
  /** Folder of the result cache (result-cache.ts); undefined = off. */
  resultCacheDir?: string;
  /**
   * Also cache runs over encrypted (permissioned) data. Off by default: the cache keeps their
   * adapter and sample answers in the clear on this node's disk beyond the job. `npm run dev`
   * turns it on for the demo's own data.
   */
  resultCachePermissioned: boolean;
  /**
   * Memory a training job may use, in MiB (MF_MEMORY_LIMIT_MB; undefined = the device's): pre-flight
   * refuses specs whose estimated peak exceeds it, and each job's worker is capped to it, so an
   * oversized run fails with an out-of-memory error instead of taking the machine down.
   */
  memoryLimitMb?: number;
  /** Training steps between checkpoints a crashed or continued job resumes from (MF_CHECKPOINT_EVERY). */
  checkpointEvery: number;
  /** Training steps between held-out evaluations during training; 0 = about ten per run (MF_EVAL_EVERY). */
  evalEvery: number;
  /** Held-out questions answered by base and tuned model in a job's report (MF_EVAL_SAMPLES). */
  evalSamples: number;
  /** Longest sample answer, in tokens (MF_EVAL_NEW_TOKENS). */
  evalNewTokens: number;
};

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}=${raw} is invalid: expected an integer from ${min} to ${max}.`);
  }
  return n;
}

/** "1" on, "0" off, unset `fallback`; anything else names the variable. */
function flag(env: Env, name: string, fallback = false): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "0") return false;
  if (raw === "1") return true;
  throw new ConfigError(`${name}=${raw} is invalid: expected 1 (on) or 0 (off).`);
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  try {
    const u = new URL(raw);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)");
    return raw.replace(/\/$/, "");
  } catch {
    throw new ConfigError(`${name}=${raw} is not an http(s) URL.`);
  }
}

async function operatorKey(env: Env): Promise<Hex> {
  if (env.MF_OPERATOR_KEY) {
    const key = env.MF_OPERATOR_KEY.startsWith("0x") ? env.MF_OPERATOR_KEY : `0x${env.MF_OPERATOR_KEY}`;
    if (!isHex(key) || key.length !== 66) throw new ConfigError("MF_OPERATOR_KEY is not a 32-byte hex private key.");
    return key as Hex;
  }
  if (env.MF_KEYSTORE) {
    let password = env.MF_KEYSTORE_PASSWORD;
    if (password === undefined && env.MF_KEYSTORE_PASSWORD_FILE) {
      password = (await readFile(env.MF_KEYSTORE_PASSWORD_FILE, "utf8")).replace(/\r?\n$/, "");
    }
    if (password === undefined)
      throw new ConfigError("MF_KEYSTORE is set but neither MF_KEYSTORE_PASSWORD nor MF_KEYSTORE_PASSWORD_FILE is.");
    return decryptKeystoreFile(env.MF_KEYSTORE, password);
  }
  throw new ConfigError("No operator key: set MF_OPERATOR_KEY (hex) or MF_KEYSTORE (+ MF_KEYSTORE_PASSWORD or _FILE).", {
    details: "For the local stack, `npm run dev` passes one of Hardhat's well-known test keys.",
  });
}

/** Reads and validates the configuration. */
export async function loadConfig(env: Env = process.env): Promise<TrainerNodeConfig> {
  const key = await operatorKey(env);
  privateKeyToAccount(key); // throws on an invalid key before anything starts
  const apiPort = int(env, "MF_API_PORT", 8787, 0, 65535);
  const apiHost = env.MF_API_HOST || "127.0.0.1";
  const deploymentFile = path.resolve(env.MF_DEPLOYMENT || path.join(REPO_ROOT, "deployments/31337.json"));
  if (!existsSync(deploymentFile)) {
    throw new ConfigError(`MF_DEPLOYMENT: no deployment file at ${deploymentFile}.`, {
      details: "Deploy the contracts first (`npm run dev` or `npm run deploy`), or point MF_DEPLOYMENT at the chain's deployment file.",
    });
  }
  const workerDir = path.join(REPO_ROOT, "trainer-node/worker");
  const workerCommand = env.MF_WORKER_COMMAND
    ? env.MF_WORKER_COMMAND.split(" ").filter(Boolean)
    : [path.join(workerDir, ".venv/bin/python"), "-m", "modelfactory_worker"];
  if (!env.MF_WORKER_COMMAND && !existsSync(workerCommand[0]!)) {
    throw new ConfigError(`The model worker's Python environment is missing (${workerCommand[0]}).`, {
      details: "Create it with `npm run setup:worker` (needs Python 3.10–3.12 with venv), or set MF_WORKER_COMMAND.",
    });
  }
  return {
    rpcUrl: url(env, "MF_RPC_URL", "http://127.0.0.1:8545"),
    deploymentFile,
    operatorKey: key,
    contentApiUrl: url(env, "MF_CONTENT_API", "http://127.0.0.1:5001"),
    modelsDir: path.resolve(env.MF_MODELS_DIR || path.join(REPO_ROOT, "trainer-node/models")),
    dataDir: path.resolve(env.MF_DATA_DIR || path.join(REPO_ROOT, "trainer-node/.data")),
    workerCommand,
    workerCwd: env.MF_WORKER_CWD || workerDir,
    workerHangMs: int(env, "MF_WORKER_HANG_MS", 300_000, 1_000, 86_400_000),
    workerStartMs: int(env, "MF_WORKER_START_MS", 120_000, 1_000, 3_600_000),
    apiHost,
    apiPort,
    publicUrl: url(env, "MF_PUBLIC_URL", `http://${apiHost}:${apiPort}`),
    corsOrigins: (env.MF_CORS_ORIGINS ?? "http://127.0.0.1:5173,http://localhost:5173")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    concurrency: int(env, "MF_CONCURRENCY", 1, 1, 64),
    pollIntervalMs: int(env, "MF_POLL_MS", 1000, 50, 600_000),
    receiptBatchSize: int(env, "MF_RECEIPT_BATCH", 16, 1, 4096),
    receiptBatchMs: int(env, "MF_RECEIPT_BATCH_MS", 10_000, 10, 86_400_000),
    announce: flag(env, "MF_ANNOUNCE", true),
    workerProcesses: int(env, "MF_WORKER_PROCESSES", 1, 1, 64),
    resultCacheDir: env.MF_RESULT_CACHE_DIR ? path.resolve(env.MF_RESULT_CACHE_DIR) : undefined,
    resultCachePermissioned: flag(env, "MF_RESULT_CACHE_PERMISSIONED"),
    memoryLimitMb: int(env, "MF_MEMORY_LIMIT_MB", 0, 0, 64 * 1024 * 1024) || undefined,
    checkpointEvery: int(env, "MF_CHECKPOINT_EVERY", 10, 1, 1_000_000),
    evalEvery: int(env, "MF_EVAL_EVERY", 0, 0, 1_000_000),
    evalSamples: int(env, "MF_EVAL_SAMPLES", 8, 0, 256),
    evalNewTokens: int(env, "MF_EVAL_NEW_TOKENS", 48, 1, 4096),
  };
}
