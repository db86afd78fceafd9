// One command to index the local chain and serve the subgraph's GraphQL:
//   node subgraph/runner/cli.ts --rpc http://127.0.0.1:8545 --deployment deployments/31337.json \
//     --port 8000 --db .data/subgraph.sqlite
// Needs the built subgraph (npm run build -w subgraph). Stops on SIGINT/SIGTERM.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeError } from "@modelfactory/sdk";
import type { LogLevel } from "./wasm/host.ts";

// node:sqlite still prints an ExperimentalWarning on load; keep the terminal for our own logs.
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name !== "ExperimentalWarning") console.error(w);
});
const { loadDeployment } = await import("./config.ts");
const { startRunner, limitsFromEnv } = await import("./index.ts");

const HELP = `Usage: node subgraph/runner/cli.ts [options]

  --rpc <url>          JSON-RPC endpoint of the chain      (default http://127.0.0.1:8545)
  --deployment <file>  deployments/<chainId>.json           (default deployments/31337.json)
  --port <n>           GraphQL port on 127.0.0.1            (default 8000)
  --db <file>          SQLite store                         (default .data/subgraph.sqlite)
  --build <dir>        output of \`graph build\`              (default subgraph/build)
  --poll <ms>          fixed new-block polling interval     (default: 500; on a local
                       chain new heads are followed over the RPC's WebSocket, polling
                       every 50 ms while that is unavailable)
  --verbose            log every indexed range

Query limits as graph-node's environment variables: GRAPH_GRAPHQL_MAX_DEPTH (255),
GRAPH_GRAPHQL_MAX_FIRST (1000), GRAPH_GRAPHQL_MAX_SKIP (4294967295) and
GRAPH_GRAPHQL_QUERY_TIMEOUT (seconds; the runner's default is 10).
  --help               this text
`;

const LEVEL_ORDER: LogLevel[] = ["critical", "error", "warning", "info", "debug"];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rpc: { type: "string", default: "http://127.0.0.1:8545" },
      deployment: { type: "string", default: "deployments/31337.json" },
      port: { type: "string", default: "8000" },
      db: { type: "string", default: ".data/subgraph.sqlite" },
      build: { type: "string", default: path.resolve(import.meta.dirname, "../build") },
      poll: { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${values.port}".`);
  const poll = values.poll === undefined ? undefined : Number(values.poll);
  if (poll !== undefined && (!Number.isFinite(poll) || poll < 10)) throw new Error(`--poll must be at least 10 ms, not "${values.poll}".`);
  const threshold = LEVEL_ORDER.indexOf(values.verbose ? "debug" : "info");
  const logger = (level: LogLevel, message: string) => {
    if (LEVEL_ORDER.indexOf(level) <= threshold) console.error(`${new Date().toISOString()} ${level.padEnd(7)} ${message}`);
  };

  const deployment = await loadDeployment(values.deployment!);
  if (values.db !== ":memory:") mkdirSync(path.dirname(path.resolve(values.db!)), { recursive: true });
  const runner = await startRunner({
    rpcUrl: values.rpc!,
    deployment,
    buildDir: values.build!,
    dbFile: values.db!,
    port,
    pollIntervalMs: poll,
    queryLimits: limitsFromEnv(),
    logger,
  });
  const cursor = runner.indexer.status().cursor;
  logger(
    "info",
    `Indexing chain ${deployment.chainId} at ${values.rpc} from block ${cursor ? cursor.number + 1 : runner.indexer.startBlock} into ${values.db}`,
  );
  logger("info", `GraphQL: ${runner.url} (also /subgraphs/name/modelfactory)`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    logger("info", "Stopping…");
    await runner.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(`subgraph runner: ${describeError(e)}`);
  const details = (e as { details?: string }).details;
  if (details) console.error(details);
  process.exit(1);
});
