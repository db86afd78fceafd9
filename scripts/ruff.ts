// Runs Ruff (the Python formatter and linter, configured by ruff.toml) from the worker's venv,
// where trainer-node/worker/requirements.txt pins it, so `npm run format` and `npm run lint` use
// one version everywhere. Arguments are passed through: `node scripts/ruff.ts check .`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const venv = path.resolve(root, process.env.MODELFACTORY_WORKER_VENV ?? "trainer-node/worker/.venv");
const ruff = path.join(venv, process.platform === "win32" ? "Scripts/ruff.exe" : "bin/ruff");
if (!existsSync(ruff)) {
  console.error(
    `ruff: ${ruff} does not exist. Ruff is installed with the worker's venv: run \`npx -y -p node@22 -- npm run setup:worker\`, then this command again.`,
  );
  process.exit(1);
}
const result = spawnSync(ruff, process.argv.slice(2), { cwd: root, stdio: "inherit" });
if (result.error) {
  console.error(`ruff: could not run ${ruff}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
