// The one-command start: a clear error without a deployment file, and a runner that indexes
// the local node and answers GraphQL when started with one.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { deployProtocol, freePort, repoRoot, startHardhatNode } from "./helpers/chain.ts";
import { data } from "./helpers/graphql.ts";
import { hash } from "./helpers/scenario.ts";

const cli = path.join(import.meta.dirname, "../runner/cli.ts");

function run(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe("cli", () => {
  it("exits with a clear message when the deployment file is missing", async () => {
    const r = run(["--deployment", "/nonexistent/31337.json", "--port", "0"]);
    assert.equal(await r.exited, 1);
    assert.match(r.stderr(), /No deployment file at \/nonexistent\/31337\.json/);
    assert.match(r.stderr(), /scripts\/deploy\.ts/);
  });

  it("indexes the chain and serves GraphQL with one command", async () => {
    const node = await startHardhatNode();
    const port = await freePort();
    const p = await deployProtocol(node.url);
    const file = await p.deploymentFile();
    await p.send(p.accounts[1]!, "DatanetRegistry", "createDatanet", ["ipfs://d", "MIT", 0, 0]);
    await p.send(p.accounts[2]!, "DatanetRegistry", "contribute", [1n, hash("c"), "bafy", "ipfs://m"]);
    const r = run(["--rpc", node.url, "--deployment", file, "--port", String(port), "--db", ":memory:", "--poll", "50"]);
    try {
      const url = `http://127.0.0.1:${port}/subgraphs/name/modelfactory`;
      const head = Number(await p.publicClient.getBlockNumber());
      let meta: any;
      for (let i = 0; i < 100; i++) {
        try {
          meta = await data(url, "{ _meta { block { number } } datanets { contributionCount } }");
          if (meta._meta.block.number >= head) break;
        } catch {
          // not listening yet
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(meta?._meta.block.number, head, r.stderr());
      assert.deepEqual(meta.datanets, [{ contributionCount: 1 }]);
      assert.match(r.stderr(), /GraphQL: http:\/\/127\.0\.0\.1:\d+\/graphql/);
    } finally {
      r.child.kill("SIGTERM");
      assert.equal(await r.exited, 0);
      await node.stop();
    }
  });
});
