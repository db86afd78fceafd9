// `npm run test:e2e -w frontend`: builds the GUI, then runs the browser flows (node:test).
import { spawnSync } from "node:child_process";
import path from "node:path";

const frontend = path.resolve(import.meta.dirname, "..");
const build = spawnSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: frontend, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
const test = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", "e2e/flows.e2e.ts"], {
  cwd: frontend,
  stdio: "inherit",
});
process.exit(test.status ?? 1);
