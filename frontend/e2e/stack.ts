// The local stack for browser tests, screenshots and the benchmark, on free loopback ports:
// Hardhat node → deploy (to a temporary deployments dir) → content API → subgraph runner →
// optional trainer node (tiny model, CPU) → `vite preview` of the built GUI. Every process is
// started in its own group and stopped by pid.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, mkdir, readFile, cp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createPublicClient, createWalletClient, http, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { trainerRegistryAbi } from "@modelfactory/sdk";
import { freePort, startLocalChain, type LocalChain } from "../../scripts/lib/test-harness.ts";

export const REPO = path.resolve(import.meta.dirname, "../..");
export const FRONTEND = path.resolve(import.meta.dirname, "..");
const WORKER_DIR = path.join(REPO, "trainer-node/worker");
const WORKER_PYTHON = path.join(WORKER_DIR, ".venv/bin/python");
/** Hardhat's public test key #5: the e2e trainer node's operator. */
const TRAINER_KEY: Hex = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const ADMIN_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export type Stack = {
  tmp: string;
  rpcUrl: string;
  deploymentFile: string;
  contentApiUrl: string;
  graphqlUrl: string | null;
  trainerUrl: string | null;
  /** The key service of Datanet 1 (the permissioned Datanet the flows create). */
  keyServiceUrl: string;
  appUrl: string;
  log: (name: string) => string;
  stop: () => Promise<void>;
};

export { freePort };

async function waitFor(what: string, check: () => Promise<boolean>, ms: number, proc?: ChildProcess, logs?: string[]): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc && proc.exitCode !== null)
      throw new Error(`${what} exited with code ${proc.exitCode}:\n${(logs ?? []).join("").slice(-2000)}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not start within ${ms / 1000} s:\n${(logs ?? []).join("").slice(-2000)}`);
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} failed (${code}):\n${out.slice(-3000)}`)),
    );
  });
}

export type StackOptions = {
  trainer?: boolean;
  quiet?: boolean /** More trainer node URLs for config.json (e.g. a benchmark stub). */;
  trainerNodes?: string[];
};

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "mf-frontend-e2e-"));
  const procs: { name: string; proc: ChildProcess; logs: string[] }[] = [];
  const start = (name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO) => {
    const proc = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const logs: string[] = [];
    proc.stdout!.on("data", (d) => logs.push(String(d)));
    proc.stderr!.on("data", (d) => logs.push(String(d)));
    procs.push({ name, proc, logs });
    return { proc, logs };
  };
  let chain: LocalChain | undefined;
  const stop = async () => {
    for (const { proc } of procs.reverse()) {
      if (proc.exitCode === null && proc.pid) {
        try {
          process.kill(-proc.pid, "SIGTERM");
        } catch {
          /* already gone */
        }
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const { proc } of procs)
      if (proc.exitCode === null && proc.pid)
        try {
          process.kill(-proc.pid, "SIGKILL");
        } catch {
          /* gone */
        }
    await chain?.stop();
  };
  try {
    chain = await startLocalChain({ timeoutMs: 90_000 });
    const rpcUrl = chain.url;
    const deploymentsDir = path.join(tmp, "deployments");
    await run("npx", ["hardhat", "run", "scripts/deploy.ts", "--network", "localhost"], {
      env: { LOCALHOST_RPC_URL: rpcUrl, MF_DEPLOYMENTS_DIR: deploymentsDir },
    });
    const deploymentFile = path.join(deploymentsDir, "31337.json");

    const contentPort = await freePort();
    const content = start("content", process.execPath, [
      "sdk/src/content-api/cli.ts",
      "--dir",
      path.join(tmp, "ipfs"),
      "--port",
      String(contentPort),
    ]);
    const contentApiUrl = `http://127.0.0.1:${contentPort}`;
    await waitFor(
      "content API",
      async () => (await fetch(`${contentApiUrl}/api/v0/version`, { method: "POST" })).ok,
      30_000,
      content.proc,
      content.logs,
    );

    let graphqlUrl: string | null = null;
    if (existsSync(path.join(REPO, "subgraph/runner/cli.ts")) && existsSync(path.join(REPO, "subgraph/build/subgraph.yaml"))) {
      const gqlPort = await freePort();
      const sub = start("subgraph", process.execPath, [
        "subgraph/runner/cli.ts",
        "--rpc",
        rpcUrl,
        "--deployment",
        deploymentFile,
        "--port",
        String(gqlPort),
        "--db",
        path.join(tmp, "subgraph.sqlite"),
        "--poll",
        "200",
      ]);
      graphqlUrl = `http://127.0.0.1:${gqlPort}/subgraphs/name/modelfactory`;
      const url = graphqlUrl;
      await waitFor(
        "subgraph runner",
        async () =>
          (
            await fetch(url, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: '{"query":"{ _meta { block { number } } }"}',
            })
          ).ok,
        60_000,
        sub.proc,
        sub.logs,
      );
    }

    // The key service of Datanet 1, the permissioned Datanet the flows create: its owner binds
    // its key on chain from the Datanet page, then contributions are encrypted for it.
    const appPort = await freePort();
    const appUrl = `http://127.0.0.1:${appPort}`;
    const ksPort = await freePort();
    const keyServiceUrl = `http://127.0.0.1:${ksPort}`;
    const ks = start("key-service", process.execPath, ["key-service/src/cli.ts"], {
      MF_KS_DATANET_ID: "1",
      MF_KS_RPC_URL: rpcUrl,
      MF_KS_DEPLOYMENT: deploymentFile,
      MF_KS_CONTENT_API_URL: contentApiUrl,
      MF_KS_DATA_DIR: path.join(tmp, "key-service"),
      MF_KS_PASSWORD: "e2e key service password",
      MF_KS_SCRYPT_N: "1024",
      MF_KS_PORT: String(ksPort),
      MF_KS_CORS_ORIGINS: appUrl,
    });
    await waitFor("key service", async () => (await fetch(`${keyServiceUrl}/health`)).ok, 30_000, ks.proc, ks.logs);
    let trainerUrl: string | null = null;
    if (options.trainer && existsSync(WORKER_PYTHON)) {
      const modelsDir = path.join(tmp, "models");
      const cache = path.join(FRONTEND, "test-results/.models/llama-tiny");
      if (!existsSync(path.join(cache, "config.json"))) {
        await mkdir(path.dirname(cache), { recursive: true });
        await run(WORKER_PYTHON, ["-m", "modelfactory_devtools", "create-model", "--out", cache, "--arch", "llama", "--size", "tiny"], {
          cwd: WORKER_DIR,
          env: { HF_HUB_OFFLINE: "1" },
        });
      }
      await mkdir(modelsDir, { recursive: true });
      await cp(cache, path.join(modelsDir, "tiny-llama"), { recursive: true });
      const trainerPort = await freePort();
      trainerUrl = `http://127.0.0.1:${trainerPort}`;
      const deployment = JSON.parse(await readFile(deploymentFile, "utf8")) as { contracts: { TrainerRegistry: { address: Address } } };
      const admin = createWalletClient({ account: privateKeyToAccount(ADMIN_KEY), chain: hardhat, transport: http(rpcUrl) });
      const pub = createPublicClient({ chain: hardhat, transport: http(rpcUrl) });
      const hash = await admin.writeContract({
        address: deployment.contracts.TrainerRegistry.address,
        abi: trainerRegistryAbi,
        functionName: "admitTrainer",
        args: [privateKeyToAccount(TRAINER_KEY).address, trainerUrl, ""],
      });
      await pub.waitForTransactionReceipt({ hash });
      const trainer = start("trainer", process.execPath, ["trainer-node/src/cli.ts"], {
        MF_OPERATOR_KEY: TRAINER_KEY,
        MF_RPC_URL: rpcUrl,
        MF_DEPLOYMENT: deploymentFile,
        MF_CONTENT_API: contentApiUrl,
        MF_MODELS_DIR: modelsDir,
        MF_DATA_DIR: path.join(tmp, "trainer"),
        MF_API_PORT: String(trainerPort),
        MF_CORS_ORIGINS: appUrl,
        MF_POLL_MS: "500",
        MF_RECEIPT_BATCH: "1",
        MF_RECEIPT_BATCH_MS: "500",
        MF_ANNOUNCE: "0",
        HF_HUB_OFFLINE: "1",
      });
      const url = trainerUrl;
      await waitFor("trainer node", async () => (await fetch(`${url}/health`)).ok, 180_000, trainer.proc, trainer.logs);
    }

    if (!existsSync(path.join(FRONTEND, "dist/index.html"))) await run("npx", ["vite", "build"], { cwd: FRONTEND });
    const app = start(
      "app",
      "npx",
      ["vite", "preview", "--host", "127.0.0.1", "--port", String(appPort), "--strictPort"],
      {
        MF_DEPLOYMENT: deploymentFile,
        MF_RPC_URL: rpcUrl,
        MF_CONTENT_API_URL: contentApiUrl,
        MF_GRAPHQL_URL: graphqlUrl ?? "http://127.0.0.1:9/graphql",
        MF_TRAINER_NODES: [trainerUrl, ...(options.trainerNodes ?? [])].filter(Boolean).join(","),
        MF_CONFIG: path.join(tmp, "no-override.json"),
      },
      FRONTEND,
    );
    await waitFor("vite preview", async () => (await fetch(`${appUrl}/config.json`)).ok, 60_000, app.proc, app.logs);
    return {
      tmp,
      rpcUrl,
      deploymentFile,
      contentApiUrl,
      graphqlUrl,
      trainerUrl,
      keyServiceUrl,
      appUrl,
      log: (name) => (name === "chain" ? (chain?.output() ?? "") : (procs.find((p) => p.name === name)?.logs.join("") ?? "")),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
