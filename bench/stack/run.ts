// `npm run bench -- stack`: time from starting `npm run dev` to every service healthy, cold
// (the stack's own caches cleared: content store, subgraph build, runner and node state) and
// warm (second start). Installs and the demo base model are kept in both: they are one-time
// setup, measured by their own steps. Runs on spare ports, without the demo training job.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { writeSuiteResult, type Metric } from "../lib/results.ts";

const root = path.resolve(import.meta.dirname, "../..");
const ports = { RPC_PORT: "18545", CONTENT_PORT: "15001", GRAPHQL_PORT: "18000", TRAINER_PORT: "18787", FRONTEND_PORT: "15173" };

async function timeStart(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ["scripts/dev.ts"], {
    cwd: root,
    env: { ...process.env, ...ports, MF_STACK_DATA: dataDir, MF_DEMO_JOB: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the stack did not come up within 10 minutes:\n${log.slice(-3000)}`)), 600_000);
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes("ModelFactory is up in")) {
          clearTimeout(timer);
          resolve((performance.now() - t0) / 1000);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("exit", (code) => reject(new Error(`npm run dev exited with ${code}:\n${log.slice(-3000)}`)));
    });
  } finally {
    child.removeAllListeners("exit");
    process.kill(-child.pid!, "SIGINT");
    await new Promise((r) => child.once("exit", r));
  }
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), "mf-stack-bench-"));
rmSync(path.join(root, "subgraph/build"), { recursive: true, force: true });
const cold = await timeStart(dataDir);
const warm = await timeStart(dataDir);
rmSync(dataDir, { recursive: true, force: true });
const metrics: Record<string, Metric> = {
  devColdSeconds: { value: +cold.toFixed(1), unit: "s", better: "lower" },
  devWarmSeconds: { value: +warm.toFixed(1), unit: "s", better: "lower" },
};
await writeSuiteResult("stack", metrics, {
  notes:
    "cold: stack caches cleared (content store, subgraph build, runner/node state); installs and the demo model kept. Target: warm < 30 s.",
});
console.log(`\nnpm run dev to all-healthy: cold ${cold.toFixed(1)} s, warm ${warm.toFixed(1)} s`);
