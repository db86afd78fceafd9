// `npm run bench [-- <suite>… [--update]]`: runs benchmark suites; each writes
// bench/results/<suite>.json and prints its table. Without names, runs every available suite.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { assertNodeVersion } from "../scripts/lib/node-version.ts";
import { writeSummary } from "./lib/summary.ts";

assertNodeVersion();
const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const update = args.includes("--update");

// `onRequest`: run only when named (a part of another suite, re-measured on its own).
const SUITES: Record<string, { command: string; available: () => boolean; env?: Record<string, string>; onRequest?: boolean }> = {
  gas: { command: "npx hardhat run bench/gas/run.ts", available: () => true, env: update ? { GAS_SNAPSHOT_UPDATE: "1" } : {} },
  content: { command: "node bench/content/run.ts", available: () => existsSync(path.join(root, "bench/content/run.ts")) },
  indexer: { command: "node bench/indexer/run.ts", available: () => existsSync(path.join(root, "bench/indexer/run.ts")) },
  frontend: { command: "node bench/frontend/run.ts", available: () => existsSync(path.join(root, "bench/frontend/run.ts")) },
  stack: { command: "node bench/stack/run.ts", available: () => true },
  node: { command: "node bench/node/run.ts", available: () => existsSync(path.join(root, "bench/node/run.ts")) },
  train: { command: "npm run bench:train", available: () => existsSync(path.join(root, "bench/train")) },
  attribution: {
    command: "node bench/attribution/run.ts",
    available: () => existsSync(path.join(root, "trainer-node/models/smollm2-135m-instruct/config.json")),
  },
  "attribution-context": {
    command: "node bench/attribution/run.ts --context-only",
    available: () => existsSync(path.join(root, "trainer-node/models/smollm2-135m-instruct/config.json")),
    onRequest: true,
  },
  "attribution-training": {
    command: "node bench/attribution/training-only.ts",
    available: () => existsSync(path.join(root, "trainer-node/models/smollm2-135m-instruct/config.json")),
    onRequest: true,
  },
  raft: {
    command: "node bench/train/raft.ts",
    available: () => existsSync(path.join(root, "trainer-node/models/smollm2-135m-instruct/config.json")),
  },
};

const names = args.filter((a) => !a.startsWith("--"));
const unknown = names.filter((n) => !(n in SUITES));
if (unknown.length) {
  console.error(`Unknown benchmark suite(s): ${unknown.join(", ")}. Suites: ${Object.keys(SUITES).join(", ")}.`);
  process.exit(2);
}
const selected = names.length ? names : Object.keys(SUITES).filter((n) => SUITES[n]!.available() && !SUITES[n]!.onRequest);
// The suites deploy the contracts from Hardhat's artifacts, which a fresh clone lacks; compiling
// is a no-op when they are up to date.
const compiled = spawnSync("npx hardhat compile --quiet", { cwd: root, shell: true, stdio: "inherit" });
if (compiled.status !== 0) {
  console.error("bench: `npx hardhat compile` failed (above), so no suite can deploy the contracts; fix the compile error and run again.");
  process.exit(1);
}
let failed = 0;
for (const name of selected) {
  const suite = SUITES[name]!;
  if (!suite.available()) {
    console.error(`Suite "${name}" is not available in this checkout.`);
    failed++;
    continue;
  }
  console.log(`\n━━ bench: ${name} ━━`);
  const r = spawnSync(suite.command, { cwd: root, shell: true, stdio: "inherit", env: { ...process.env, ...suite.env } });
  if (r.status !== 0) failed++;
}
await writeSummary();
process.exit(failed ? 1 : 0);
