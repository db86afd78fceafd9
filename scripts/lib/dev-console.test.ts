// The quiet console of `npm run dev`: which lines reach the terminal, that a failing step shows
// its log's last lines and path, and the demo job's progress line (in place or by tenths).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { DevConsole, StepFailed, mattersOnScreen } from "./dev-console.ts";
import { describeJob } from "./demo-job.ts";

function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, write: (s: string) => (chunks.push(s), true) }, text: () => chunks.join("") };
}

describe("what reaches the terminal", () => {
  it("shows warnings and errors, not a healthy service's chatter", () => {
    assert.equal(mattersOnScreen("chain", "\x1b[32meth_blockNumber\x1b[0m"), false);
    assert.equal(
      mattersOnScreen("chain", "WARNING: Funds sent on live network to accounts with publicly known private keys WILL BE LOST."),
      false,
    );
    assert.equal(mattersOnScreen("trainer", "(node:8845) ExperimentalWarning: SQLite is an experimental feature"), false);
    assert.equal(mattersOnScreen("subgraph", "2026-12-01T15:30:10.947Z info    Indexing chain 31337"), false);
    assert.equal(mattersOnScreen("subgraph", "2026-12-01T15:30:10.947Z warning Reorg: rolled back to block 7"), true);
    assert.equal(mattersOnScreen("subgraph", "2026-12-01T15:30:10.947Z error   Indexing stopped: abort"), true);
    assert.equal(mattersOnScreen("trainer", "[2026-12-01T15:30:26.977Z] job 1: claimed — claimed by 0xa0Ee"), false);
    assert.equal(mattersOnScreen("trainer", "[2026-12-01T15:30:26.977Z] job 1: failed — worker exited"), true);
    assert.equal(mattersOnScreen("gui", "3:30:29 PM [vite] Internal server error: Failed to resolve import"), true);
    assert.equal(mattersOnScreen("keys", "Traceback (most recent call last):"), true);
    assert.equal(mattersOnScreen("gui", ""), false);
  });
});

describe("DevConsole", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "mf-dev-console-"));

  it("keeps a step's whole output in its log and prints one line, plus the lines asked for", async () => {
    const r = recorder(false);
    const c = new DevConsole({ logDir: path.join(root, "a/logs"), verbose: false, root, out: r.out });
    await c.step(
      "seed",
      "demo data seeded",
      "echo noise; echo '  Datanet #1  Espresso'; echo 'deprecation warning: x' >&2",
      root,
      process.env,
      /^\s*Datanet #/,
    );
    const lines = r.text().trim().split("\n");
    assert.match(lines[0]!, /^▸ demo data seeded \(\d+\.\d s\)$/);
    assert.deepEqual(lines.slice(1), ["  Datanet #1  Espresso", "  deprecation warning: x"]);
    const log = readFileSync(path.join(root, "a/logs/seed.log"), "utf8");
    assert.match(log, /noise/);
    assert.equal(c.logPath("seed"), path.join("a", "logs", "seed.log"));
  });

  it("stops at a failing step with its last log lines and the log's path", async () => {
    const r = recorder(false);
    const c = new DevConsole({ logDir: path.join(root, "b/logs"), verbose: false, root, out: r.out });
    const script = "for i in $(seq 1 40); do echo line $i; done; echo 'npm ERR! missing script' >&2; exit 3";
    await assert.rejects(c.step("compile", "contracts compiled", script, root, process.env), (e: unknown) => {
      assert.ok(e instanceof StepFailed);
      assert.match((e as Error).message, /contracts compiled failed; its whole output is in b\/logs\/compile\.log/);
      return true;
    });
    const text = r.text();
    assert.match(text, /✖ contracts compiled failed \(exit code 3\)/);
    assert.match(text, /last 25 lines of b\/logs\/compile\.log:/);
    assert.match(text, /│ npm ERR! missing script/);
    assert.match(text, /│ line 40\n/);
    assert.doesNotMatch(text, /│ line 10\n/);
  });

  it("sends a service's output to its log file and only what matters to the screen; all of it when verbose", async () => {
    for (const verbose of [false, true]) {
      const r = recorder(false);
      const c = new DevConsole({ logDir: path.join(root, `c${verbose}/logs`), verbose, root, out: r.out });
      const child = spawn("echo eth_chainId; echo eth_getLogs; echo 'Error: boom' >&2", { shell: true, stdio: ["ignore", "pipe", "pipe"] });
      c.attach("chain", child);
      await new Promise((res) => child.once("close", res));
      c.close();
      const screen = r.text();
      assert.match(screen, /Error: boom/);
      if (verbose) assert.match(screen, /eth_getLogs/);
      else assert.doesNotMatch(screen, /eth_/);
      assert.match(readFileSync(path.join(root, `c${verbose}/logs/chain.log`), "utf8"), /eth_chainId\neth_getLogs/);
    }
  });

  it("redraws the progress line in place on a TTY and keeps other lines above it", () => {
    const r = recorder(true);
    const c = new DevConsole({ logDir: path.join(root, "d/logs"), verbose: false, root, out: r.out });
    c.progress("demo job #1: training 10 %");
    c.line("✖ something");
    c.progress("demo job #1: training 20 %");
    c.endProgress();
    assert.equal(
      r.text(),
      "\r\x1b[2Kdemo job #1: training 10 %" + "\r\x1b[2K✖ something\ndemo job #1: training 10 %" + "\r\x1b[2Kdemo job #1: training 20 %\n",
    );
  });
});

describe("the demo job's progress line", () => {
  const progress = (step: number, totalSteps: number) => ({
    type: "progress" as const,
    seq: 1,
    at: 0,
    step,
    totalSteps,
    epoch: 0,
    loss: 1.23456,
    learningRate: 0,
    gradNorm: 0,
    tokensPerSecond: 0,
    mfu: 0,
    memoryBytes: 0,
    etaSeconds: 125,
  });

  it("says the share of steps, the loss and the time left while training, with one milestone per tenth", () => {
    const a = describeJob({ jobId: "1", phase: "training", progress: progress(21, 50) }, 30);
    assert.equal(a.text, "demo job #1: training 42 % (step 21/50, loss 1.235, about 2 min 5 s left)");
    assert.equal(a.milestone, "training:4");
    assert.equal(describeJob({ jobId: "1", phase: "training", progress: progress(24, 50) }, 31).milestone, "training:4");
    assert.equal(describeJob({ jobId: "1", phase: "training", progress: progress(25, 50) }, 32).milestone, "training:5");
  });

  it("names the phase outside training", () => {
    const b = describeJob({ jobId: "1", phase: "evaluating", progress: progress(50, 50) }, 75);
    assert.equal(b.text, "demo job #1: evaluating (1 min 15 s since start)");
    assert.equal(b.milestone, "evaluating");
    assert.match(
      describeJob({ jobId: "1", phase: "training", progress: { ...progress(1, 52), etaSeconds: 4726 } }, 9).text,
      /about 1 h 19 min left\)$/,
    );
  });
});
