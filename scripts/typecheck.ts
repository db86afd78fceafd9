// `npm test -- typecheck`: `tsc --noEmit` over the root project and every workspace that has a
// `typecheck` script, as many at once as the machine has cores. Each project is its own tsc
// program (the frontend's options differ), so run one after another they leave a core idle.
//   node scripts/typecheck.ts            # all, in parallel
//   node scripts/typecheck.ts --jobs 1   # one at a time
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { assertNodeVersion } from "./lib/node-version.ts";

assertNodeVersion();
const root = path.resolve(import.meta.dirname, "..");

type Project = { name: string; command: string };

function projects(): Project[] {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { workspaces: string[] };
  const list: Project[] = [{ name: ".", command: "npx tsc --noEmit -p ." }];
  for (const ws of pkg.workspaces) {
    const scripts = (JSON.parse(readFileSync(path.join(root, ws, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts;
    if (scripts?.typecheck) list.push({ name: ws, command: `npm run --silent typecheck -w ${ws}` });
  }
  return list;
}

function parseJobs(argv: string[]): number {
  const i = argv.indexOf("--jobs");
  if (i === -1) return Math.max(1, os.availableParallelism());
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`typecheck: --jobs needs a whole number of at least 1, not ${JSON.stringify(argv[i + 1] ?? "")}.`);
    process.exit(2);
  }
  return n;
}

/** Runs one project; its output is printed in one piece when it ends, so parallel runs do not interleave. */
function check(p: Project): Promise<boolean> {
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(p.command, { cwd: root, shell: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("close", (code) => {
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      console.log(`typecheck ${p.name}: ${code === 0 ? "ok" : `FAILED (exit ${code})`} in ${seconds} s`);
      if (output.trim()) process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
      resolve(code === 0);
    });
  });
}

const queue = projects();
const jobs = parseJobs(process.argv.slice(2));
const results: boolean[] = [];
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let p = queue.shift(); p; p = queue.shift()) results.push(await check(p));
  }),
);
process.exit(results.every(Boolean) ? 0 : 1);
