// The shared test harness: a chain it starts answers and stops by its pid, and its deploy from
// artifacts gives exactly the deployment of the deploy script (`npm run dev`, the trainer-node
// and browser stacks), contract for contract, on a fresh chain: one wiring, not two.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { rpcReady } from "./processes.ts";
import { deployProtocolTo, freePort, REPO_ROOT, startLocalChain } from "./test-harness.ts";

const run = promisify(execFile);

describe("test harness", () => {
  it("gives free ports", async () => {
    const [a, b] = [await freePort(), await freePort()];
    assert.ok(a > 0 && a < 65536 && b > 0 && b < 65536);
  });

  it("deploys what the deploy script deploys, and stops its chain", { timeout: 180_000 }, async () => {
    const [byScript, byHarness] = [await startLocalChain(), await startLocalChain()];
    const dir = await mkdtemp(path.join(os.tmpdir(), "mf-harness-test-"));
    try {
      await run(
        process.execPath,
        [path.join(REPO_ROOT, "node_modules/hardhat/dist/src/cli.js"), "run", "scripts/deploy.ts", "--network", "localhost"],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, LOCALHOST_RPC_URL: byScript.url, MF_DEPLOYMENTS_DIR: dir },
        },
      );
      const script = JSON.parse(await readFile(path.join(dir, "31337.json"), "utf8"));
      const harness = await deployProtocolTo(byHarness.url);
      assert.deepEqual(harness.deployment, script);
      const code = await harness.publicClient.getCode({ address: harness.contracts.AttributionLedger.address });
      assert.ok(code && code.length > 2, "AttributionLedger has no code");
    } finally {
      await byScript.stop();
      await byHarness.stop();
      await rm(dir, { recursive: true, force: true });
    }
    assert.equal(await rpcReady(byHarness.url).catch(() => false), false, "the chain still answers after stop()");
  });
});
