// `npm test`: every suite of every package, in order, with one summary at the end. Exits
// non-zero if any suite fails. `npm test -- <name>…` runs only the named suites.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { assertNodeVersion } from "./lib/node-version.ts";
import { ensureSystem, piecesFor } from "./lib/system.ts";

assertNodeVersion();
const root = path.resolve(import.meta.dirname, "..");

type Suite = { name: string; steps: string[]; when?: () => boolean };

const SUITES: Suite[] = [
  // Format check and lint, TypeScript (Biome) and Python (Ruff, from the worker's venv; the base
  // model is not needed for it): seconds, so a formatting slip fails before the long suites start.
  { name: "lint", steps: ["MF_SKIP_BASE_MODEL=1 npm run setup:worker", "npm run lint"] },
  { name: "compile", steps: ["npx hardhat compile", "node scripts/generate-abis.ts --check"] },
  // The root project and every workspace's, one tsc per core at a time (scripts/typecheck.ts).
  { name: "typecheck", steps: ["node scripts/typecheck.ts"] },
  { name: "contracts", steps: ["npx hardhat test nodejs --coverage", "node scripts/check-coverage.ts"] },
  { name: "fuzz", steps: ["npx hardhat test solidity"] },
  // Gas runs un-instrumented (coverage adds gas) against bench/gas/snapshot.json.
  { name: "gas", steps: ["npx hardhat test nodejs bench/gas/snapshot.test.ts"] },
  { name: "sdk", steps: ["npm test -w sdk"] },
  // The repository's own scripts (npm run dev's console, the system check).
  { name: "scripts", steps: ["node --test --test-reporter=spec 'scripts/lib/*.test.ts'"] },
  { name: "demo", steps: ["node --test --test-reporter=spec demo/datanets.test.ts"] },
  { name: "subgraph", steps: ["npm test -w subgraph"], when: () => existsSync(path.join(root, "subgraph/package.json")) },
  {
    name: "worker",
    steps: ["npm run setup:worker", "npm run test:worker"],
    when: () => existsSync(path.join(root, "trainer-node/worker/setup.sh")),
  },
  // Needs the worker's environment (the suite above creates it).
  { name: "trainer-node", steps: ["npm run setup:worker", "npm test -w trainer-node"] },
  // The key service against a real chain and content store (no worker needed).
  { name: "key-service", steps: ["npm test -w key-service"] },
  { name: "frontend", steps: ["npm test -w frontend"] },
  // Real headless Chromium against a real local stack (chain, content API, subgraph, trainer node).
  { name: "e2e", steps: ["npm run setup:worker", "npm run test:e2e -w frontend"] },
];

/** Test counts printed by the runners we use: hardhat/mocha, node:test, pytest. */
function countTests(output: string): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const m of output.matchAll(/^\s*(\d+) passing/gm)) passed += Number(m[1]);
  for (const m of output.matchAll(/^\s*(\d+) failing/gm)) failed += Number(m[1]);
  for (const m of output.matchAll(/^ℹ pass (\d+)/gm)) passed += Number(m[1]);
  for (const m of output.matchAll(/^ℹ fail (\d+)/gm)) failed += Number(m[1]);
  // vitest: "Tests  1 failed | 31 passed (32)" (colour codes stripped first)
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  for (const m of plain.matchAll(/^\s*Tests\s+(?:(\d+) failed \| )?(\d+) passed/gm)) {
    failed += Number(m[1] ?? 0);
    passed += Number(m[2]);
  }
  // pytest: "== 2 failed, 69 passed in 70s ==", or with -q "2 failed, 69 passed in 70s"
  for (const m of plain.matchAll(/^(?:=+ )?(?:(\d+) failed, )?(\d+) passed(?:, \d+ \w+)* in [\d.]+s/gm)) {
    failed += Number(m[1] ?? 0);
    passed += Number(m[2]);
  }
  return { passed, failed };
}

function run(command: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, { cwd: root, shell: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const tee = (chunk: Buffer, to: NodeJS.WriteStream) => {
      output += chunk.toString();
      to.write(chunk);
    };
    child.stdout.on("data", (c: Buffer) => tee(c, process.stdout));
    child.stderr.on("data", (c: Buffer) => tee(c, process.stderr));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

const only = process.argv.slice(2);
const unknown = only.filter((n) => !SUITES.some((s) => s.name === n));
if (unknown.length) {
  console.error(`Unknown suite(s): ${unknown.join(", ")}. Suites: ${SUITES.map((s) => s.name).join(", ")}.`);
  process.exit(2);
}
// What the chosen suites need from the system (Python with venv, Chromium, fonts) is installed
// first when this machine allows it (Debian/Ubuntu as root), else the run stops now with the
// exact command, not after an hour of other suites.
const chosen = SUITES.filter((s) => (!only.length || only.includes(s.name)) && (!s.when || s.when())).map((s) => s.name);
const systemProblem = ensureSystem(piecesFor(chosen), true);
if (systemProblem) {
  for (const line of systemProblem.split("\n")) console.error(`system: ${line}`);
  process.exit(1);
}
const results: { name: string; ok: boolean; passed: number; failed: number; seconds: number }[] = [];
for (const suite of SUITES) {
  if (only.length && !only.includes(suite.name)) continue;
  if (suite.when && !suite.when()) continue;
  console.log(`\n━━ ${suite.name} ━━`);
  const start = performance.now();
  let ok = true;
  let counts = { passed: 0, failed: 0 };
  for (const step of suite.steps) {
    console.log(`$ ${step}`);
    const { code, output } = await run(step);
    const c = countTests(output);
    counts = { passed: counts.passed + c.passed, failed: counts.failed + c.failed };
    if (code !== 0) {
      ok = false;
      break;
    }
  }
  results.push({ name: suite.name, ok, ...counts, seconds: (performance.now() - start) / 1000 });
}

console.log("\nsuite        result   tests passed  failed   seconds");
for (const r of results) {
  console.log(
    `${r.name.padEnd(12)} ${(r.ok ? "ok" : "FAILED").padEnd(8)} ${String(r.passed).padStart(12)} ${String(r.failed).padStart(7)} ${r.seconds.toFixed(1).padStart(9)}`,
  );
}
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0) + results.filter((r) => !r.ok && r.failed === 0).length;
console.log(`\ntotal: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
