// A real local stack for trainer-node tests: a Hardhat node on a free port with the protocol
// deployed from the compiled artifacts (the harness's deploy, which test-harness.test.ts holds
// equal to the deploy script's; in-process, so no second Hardhat start per stack), the content API
// over an embedded store, a tiny model made by the worker, and wallet clients for Hardhat's
// well-known test accounts. Everything stops by pid at the end.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { bytesToHex, createPublicClient, createWalletClient, getContract, http, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { createSiweMessage } from "viem/siwe";
import {
  accessGrantTypedData,
  attributionLedgerAbi,
  datanetRegistryAbi,
  generateEncryptionKeyPair,
  parseDeployment,
  serializeTrainingSpec,
  SPEC_PRESETS,
  trainerRegistryAbi,
  trainingJobsAbi,
  type TrainingSpec,
} from "@modelfactory/sdk";
import {
  createEmbeddedContentStore,
  createKuboContentStore,
  prepareContribution,
  startContentApi,
  storeContribution,
  writeDeploymentFile,
} from "@modelfactory/sdk/node";
import { deployProtocolTo, freePort, startLocalChain } from "../../../scripts/lib/test-harness.ts";
import type { TrainerNodeConfig } from "../../src/config.ts";

const run = promisify(execFile);
// One torch thread for every worker these tests start (the node's job and serving workers, and
// the CLI's in crash-resume, inherit it). The tiny model gains nothing from a second thread, and
// on a 2-core machine that thread spin-waits whenever the chain or this process holds the other
// core: a job's evaluation took 10.7 s with 2 threads and 1.9 s with 1. Set the variable to try more.
process.env.MODELFACTORY_WORKER_THREADS ??= "1";
export const REPO = path.resolve(import.meta.dirname, "../../..");
/** The builder's X25519 key that createJob's specs name (artifacts of permissioned jobs are sealed to it). */
export const BUILDER_ENCRYPTION_KEY = generateEncryptionKeyPair();
export const WORKER_DIR = path.join(REPO, "trainer-node/worker");
export const WORKER_PYTHON = path.join(WORKER_DIR, ".venv/bin/python");

/** Hardhat's well-known development keys (public; never use them on a real network). */
export const KEYS = {
  admin: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  owner: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  approver: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  contributor: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  builder: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  trainer: "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  trainer2: "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  other: "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
} as const satisfies Record<string, Hex>;

export { freePort };

/** Makes (once, cached) a tiny random model in `trainer-node/.data/test-models/<arch>-<size>`. */
export async function tinyModel(modelsDir: string, name = "tiny-llama", arch = "llama", size = "tiny"): Promise<string> {
  const cache = path.join(REPO, "trainer-node/.data/test-models", `${arch}-${size}`);
  if (!existsSync(path.join(cache, "config.json"))) {
    await mkdir(path.dirname(cache), { recursive: true });
    await run(WORKER_PYTHON, ["-m", "modelfactory_devtools", "create-model", "--out", cache, "--arch", arch, "--size", size], {
      cwd: WORKER_DIR,
      env: { ...process.env, HF_HUB_OFFLINE: "1" },
    });
  }
  const target = path.join(modelsDir, name);
  await mkdir(modelsDir, { recursive: true });
  await run("cp", ["-r", cache, target]);
  return target;
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export async function startStack() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "mf-node-test-"));
  const chain = await startLocalChain();
  const rpcUrl = chain.url;
  // A failed start stops the chain it started (a benchmark that crashed here left a Hardhat node running).
  const { deploymentFile, deployment, contentApi } = await (async () => {
    const deploymentFile = await writeDeploymentFile(path.join(tmp, "deployments"), (await deployProtocolTo(rpcUrl)).deployment);
    const deployment = parseDeployment(JSON.parse(await readFile(deploymentFile, "utf8")));
    const embedded = await createEmbeddedContentStore({ directory: path.join(tmp, "ipfs") });
    return { deploymentFile, deployment, contentApi: await startContentApi({ store: embedded, port: 0 }) };
  })().catch(async (err: unknown) => {
    await chain.stop();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  });
  const contentApiUrl = `http://127.0.0.1:${contentApi.port}`;
  const store = createKuboContentStore({ url: contentApiUrl });
  const publicClient = createPublicClient({ chain: hardhat, transport: http(rpcUrl) });
  const wallet = (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), chain: hardhat, transport: http(rpcUrl) });
  const wallets = Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, wallet(v)])) as {
    [K in keyof typeof KEYS]: ReturnType<typeof wallet>;
  };
  const c = deployment.contracts;
  const contracts = {
    datanets: getContract({ address: c.DatanetRegistry.address, abi: datanetRegistryAbi, client: publicClient }),
    trainers: getContract({ address: c.TrainerRegistry.address, abi: trainerRegistryAbi, client: publicClient }),
    jobs: getContract({ address: c.TrainingJobs.address, abi: trainingJobsAbi, client: publicClient }),
    ledger: getContract({ address: c.AttributionLedger.address, abi: attributionLedgerAbi, client: publicClient }),
  };

  /** Sends a contract write from `who` and waits for it. */
  async function tx(
    who: keyof typeof KEYS,
    address: Address,
    abi: readonly unknown[],
    functionName: string,
    args: readonly unknown[],
  ): Promise<void> {
    const w = wallets[who];
    const { request } = await publicClient.simulateContract({
      address,
      abi: abi as never,
      functionName: functionName as never,
      args: args as never,
      account: w.account,
    });
    const hash = await w.writeContract(request as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  }

  /** Creates a Datanet owned by `owner` with `approver`; returns its id. */
  async function createDatanet(access: 0 | 1 = 1, contribution: 0 | 1 = 0): Promise<bigint> {
    await tx("owner", c.DatanetRegistry.address, datanetRegistryAbi, "createDatanet", ["ipfs://meta", "CC-BY-4.0", access, contribution]);
    const id = await contracts.datanets.read.datanetCount();
    await tx("owner", c.DatanetRegistry.address, datanetRegistryAbi, "addApprover", [id, wallets.approver.account.address]);
    return id;
  }

  /** Validates, stores and registers a JSONL contribution; returns its id. */
  async function contribute(datanetId: bigint, jsonl: string, who: keyof typeof KEYS = "contributor"): Promise<bigint> {
    const prepared = await prepareContribution({ bytes: new TextEncoder().encode(jsonl), fileName: "data.jsonl" });
    const stored = await storeContribution(store, prepared, { title: "test data", license: "CC-BY-4.0" });
    await tx(who, c.DatanetRegistry.address, datanetRegistryAbi, "contribute", [
      datanetId,
      stored.contentHash,
      stored.cid.toString(),
      `ipfs://${stored.metadataCid}`,
    ]);
    return contracts.datanets.read.contributionCount();
  }

  /** Grants `builder` scopes on a Datanet by an approver's EIP-712 signature, redeemed by the builder. */
  async function grantBySignature(datanetId: bigint, scopes: number, grantee: keyof typeof KEYS = "builder", ttl = 86_400n): Promise<void> {
    const now = (await publicClient.getBlock()).timestamp;
    const grant = {
      datanetId,
      grantee: wallets[grantee].account.address,
      scopes,
      expiresAt: now + ttl,
      nonce: BigInt(Date.now()),
      deadline: now + 3600n,
      issuedAt: now + 1n,
    };
    const signature = await wallets.approver.signTypedData(accessGrantTypedData(31337, c.DatanetRegistry.address, grant));
    await tx(grantee, c.DatanetRegistry.address, datanetRegistryAbi, "grantAccessBySig", [
      grant,
      wallets.approver.account.address,
      signature,
    ]);
  }

  async function admit(who: keyof typeof KEYS): Promise<void> {
    await tx("admin", c.TrainerRegistry.address, trainerRegistryAbi, "admitTrainer", [
      wallets[who].account.address,
      "http://127.0.0.1:1",
      "",
    ]);
  }

  /**
   * Stores a spec and creates the job from `builder`; returns the job id. The spec names
   * BUILDER_ENCRYPTION_KEY, as the GUI's train wizard names the builder's wallet-derived key, so a
   * job over a permissioned Datanet has a key to seal its artifacts for; pass
   * `{ builderEncryptionKey: undefined }` for a spec without one.
   */
  async function createJob(
    datanetIds: bigint[],
    overrides: Partial<TrainingSpec> = {},
    hyper: Partial<TrainingSpec["hyperparameters"]> = {},
  ): Promise<bigint> {
    const spec: TrainingSpec = {
      schema: "modelfactory.spec/1",
      name: "test job",
      description: "",
      baseModel: "tiny-llama",
      method: "lora",
      datanetIds: datanetIds.map(String),
      evalFraction: 0.34,
      hyperparameters: { ...SPEC_PRESETS.quick.hyperparameters, batchSize: 4, epochs: 3, maxLength: 96, learningRate: 3e-3, ...hyper },
      builderEncryptionKey: bytesToHex(BUILDER_ENCRYPTION_KEY.publicKey),
      ...overrides,
    };
    const bytes = serializeTrainingSpec(spec);
    const cid = await store.put(bytes);
    const specHash = `0x${createHash("sha256").update(bytes).digest("hex")}` as Hex;
    await tx("builder", c.TrainingJobs.address, trainingJobsAbi, "createJob", [datanetIds, `ipfs://${cid}`, specHash]);
    return (await contracts.jobs.read.counts())[0];
  }

  /** A node configuration for operator `who` over this stack. */
  async function nodeConfig(who: keyof typeof KEYS, modelsDir: string, extra: Partial<TrainerNodeConfig> = {}): Promise<TrainerNodeConfig> {
    return {
      rpcUrl,
      deploymentFile,
      operatorKey: KEYS[who],
      contentApiUrl,
      modelsDir,
      dataDir: path.join(tmp, `node-${who}`),
      workerCommand: [WORKER_PYTHON, "-m", "modelfactory_worker"],
      workerCwd: WORKER_DIR,
      workerHangMs: 120_000,
      workerStartMs: 120_000,
      apiHost: "127.0.0.1",
      apiPort: 0,
      publicUrl: "http://127.0.0.1:8787",
      corsOrigins: [],
      concurrency: 1,
      pollIntervalMs: 200,
      receiptBatchSize: 4,
      receiptBatchMs: 500,
      announce: true,
      resultCachePermissioned: false,
      checkpointEvery: 10,
      evalEvery: 0,
      evalSamples: 8,
      evalNewTokens: 48,
      ...extra,
    };
  }

  async function stop(): Promise<void> {
    await contentApi.close();
    await chain.stop();
    await rm(tmp, { recursive: true, force: true });
  }

  /** The reason of a job's JobFailed event, if it failed. */
  async function failureOf(jobId: bigint): Promise<string | undefined> {
    const logs = await publicClient.getContractEvents({
      address: contracts.jobs.address,
      abi: trainingJobsAbi,
      eventName: "JobFailed",
      args: { jobId },
      fromBlock: 0n,
      strict: true,
    });
    return logs[0]?.args.reason;
  }

  /** Signs in to a node's API with SIWE as `who`; returns the bearer token. */
  async function signIn(apiUrl: string, who: keyof typeof KEYS, expirationTime?: Date): Promise<string> {
    const { nonce } = (await (await fetch(`${apiUrl}/auth/nonce`)).json()) as { nonce: string };
    const w = wallets[who];
    const message = createSiweMessage({
      domain: "127.0.0.1:8787",
      address: w.account.address,
      uri: "http://127.0.0.1:8787",
      version: "1",
      chainId: 31337,
      nonce,
      expirationTime,
    });
    const res = await fetch(`${apiUrl}/auth/verify`, {
      method: "POST",
      body: JSON.stringify({ message, signature: await w.signMessage({ message }) }),
    });
    if (res.status !== 200) throw new Error(`sign-in failed: ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  return {
    tmp,
    rpcUrl,
    failureOf,
    signIn,
    deployment,
    deploymentFile,
    contentApiUrl,
    store,
    publicClient,
    wallets,
    contracts,
    tx,
    createDatanet,
    contribute,
    grantBySignature,
    admit,
    createJob,
    nodeConfig,
    stop,
  };
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Instruction records about one topic, as JSONL, with a marker word so retrieval can find them. */
export function qaJsonl(topic: string, n: number): string {
  return (
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({
        instruction: `What does the ${topic} manual say about step ${i}?`,
        output: `For ${topic} step ${i}, tighten the ${topic} valve ${i + 1} turns and log it.`,
      }),
    ).join("\n") + "\n"
  );
}
