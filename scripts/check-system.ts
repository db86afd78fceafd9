// Detects the system pieces ModelFactory needs beyond Node and npm — Python 3.10–3.12 with
// venv (the model worker) and Chromium (browser tests) — and says exactly how to install them.
// With --install on Debian/Ubuntu as root, installs what is missing with apt-get.
import { execSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

type Piece = { name: string; ok: () => boolean; packages: string[]; neededFor: string };

const pythonOk = (bin: string) =>
  spawnSync(bin, ["-c", "import sys, venv, ensurepip; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)"]).status === 0;

const PIECES: Piece[] = [
  { name: "Python 3.10–3.12 with venv", ok: () => pythonOk("python3.11") || pythonOk("python3"), packages: ["python3", "python3-venv", "python3-pip"], neededFor: "the model worker (training, evaluation, chat)" },
  { name: "Chromium", ok: () => existsSync("/usr/bin/chromium"), packages: ["chromium", "fonts-dejavu-core"], neededFor: "the browser tests and the frontend benchmark" },
];

const missing = PIECES.filter((p) => !p.ok());
if (missing.length === 0) {
  console.log("system: Python with venv and Chromium are present.");
  process.exit(0);
}
const packages = missing.flatMap((p) => p.packages);
const debian = existsSync("/etc/debian_version");
if (process.argv.includes("--install") && debian && process.getuid?.() === 0) {
  console.log(`system: installing ${packages.join(" ")} with apt-get…`);
  execSync("apt-get update -q", { stdio: "inherit" });
  execSync(`DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${packages.join(" ")}`, { stdio: "inherit" });
  process.exit(PIECES.every((p) => p.ok()) ? 0 : 1);
}
for (const p of missing) console.error(`system: ${p.name} is missing; it is needed for ${p.neededFor}.`);
console.error(
  debian
    ? `Install with: sudo apt-get update && sudo apt-get install -y ${packages.join(" ")}   (or run \`npm run setup\` as root)`
    : `Install ${missing.map((p) => p.name).join(" and ")} with your system's package manager.`,
);
process.exit(1);
