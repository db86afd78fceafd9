// The node's settings: every MF_* variable is read once, in config.ts, and a bad value stops the
// node at start with the variable's name and what it expects (instead of a NaN deep in a job).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config.ts";

describe("node configuration", () => {
  let tmp: string;
  let base: Record<string, string>;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "mf-config-"));
    await writeFile(path.join(tmp, "deployment.json"), "{}");
    // Hardhat's first well-known test key; the worker command need not exist when it is given.
    base = {
      MF_OPERATOR_KEY: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
      MF_DEPLOYMENT: path.join(tmp, "deployment.json"),
      MF_WORKER_COMMAND: "python3 -m modelfactory_worker",
    };
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it("defaults to the local stack and the evaluation the README describes", async () => {
    const c = await loadConfig(base);
    assert.equal(c.rpcUrl, "http://127.0.0.1:8545");
    assert.equal(c.apiPort, 8787);
    assert.equal(c.announce, true);
    assert.deepEqual([c.checkpointEvery, c.evalEvery, c.evalSamples, c.evalNewTokens], [10, 0, 8, 48]);
    assert.deepEqual(c.workerCommand, ["python3", "-m", "modelfactory_worker"]);
  });

  it("reads the job settings it once read in the job runner", async () => {
    const c = await loadConfig({
      ...base,
      MF_CHECKPOINT_EVERY: "3",
      MF_EVAL_EVERY: "5",
      MF_EVAL_SAMPLES: "0",
      MF_EVAL_NEW_TOKENS: "16",
      MF_ANNOUNCE: "0",
    });
    assert.deepEqual([c.checkpointEvery, c.evalEvery, c.evalSamples, c.evalNewTokens, c.announce], [3, 5, 0, 16, false]);
  });

  const refuses: [Record<string, string>, RegExp][] = [
    [{ MF_EVAL_SAMPLES: "eight" }, /MF_EVAL_SAMPLES=eight is invalid: expected an integer from 0 to 256/],
    [{ MF_CHECKPOINT_EVERY: "0" }, /MF_CHECKPOINT_EVERY=0 is invalid: expected an integer from 1/],
    [{ MF_EVAL_NEW_TOKENS: "1.5" }, /MF_EVAL_NEW_TOKENS=1.5 is invalid/],
    [{ MF_EVAL_EVERY: "-1" }, /MF_EVAL_EVERY=-1 is invalid/],
    [{ MF_ANNOUNCE: "false" }, /MF_ANNOUNCE=false is invalid: expected 1 \(on\) or 0 \(off\)/],
    [{ MF_API_PORT: "70000" }, /MF_API_PORT=70000 is invalid/],
    [{ MF_RPC_URL: "ftp://x" }, /MF_RPC_URL=ftp:\/\/x is not an http\(s\) URL/],
    [{ MF_OPERATOR_KEY: "0x1234" }, /MF_OPERATOR_KEY is not a 32-byte hex private key/],
  ];
  for (const [env, re] of refuses)
    it(`refuses ${Object.entries(env)[0]!.join("=")}`, () => assert.rejects(loadConfig({ ...base, ...env }), re));

  it("names a missing deployment file and what to do", async () => {
    await assert.rejects(
      loadConfig({ ...base, MF_DEPLOYMENT: path.join(tmp, "none.json") }),
      /MF_DEPLOYMENT: no deployment file at .*none\.json/,
    );
  });
});
