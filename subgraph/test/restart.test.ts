// Persistence and chain changes: a restarted runner resumes from its cursor without
// duplicates; a reorg (evm_revert) rolls the store back to the common block; a rebuilt dev
// chain (new node, same chain id and addresses, other hashes) is detected and re-indexed.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startRunner, type Runner } from "../runner/index.ts";
import { deployProtocol, startHardhatNode, type HardhatNode, type Protocol } from "./helpers/chain.ts";
import { buildDir } from "./helpers/fixture.ts";
import { data } from "./helpers/graphql.ts";
import { actors, hash } from "./helpers/scenario.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "mf-subgraph-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rpc = (p: Protocol, method: string, params: unknown[] = []) =>
  p.publicClient.request({ method: method as never, params: params as never });

async function start(node: HardhatNode, p: Protocol, dbFile: string, port = 0): Promise<Runner> {
  const runner = await startRunner({ rpcUrl: node.url, deployment: p.deployment, buildDir, dbFile, port, pollIntervalMs: 50 });
  await runner.indexer.waitForBlock();
  return runner;
}

const totals = `{ protocol(id: "modelfactory") { datanetCount contributionCount accountCount }
  contributions(orderBy: contributionId) { id contentHash } datanetChanges { id } contributionStatusChanges { id } }`;

describe("restart", () => {
  it("resumes from the stored cursor without duplicating entities or counts", async () => {
    const node = await startHardhatNode();
    try {
      const p = await deployProtocol(node.url);
      const a = actors(p);
      const db = path.join(dir, "restart.sqlite");
      await p.send(a.alice, "DatanetRegistry", "createDatanet", ["ipfs://d1", "MIT", 0, 1]);
      await p.send(a.bob, "DatanetRegistry", "contribute", [1n, hash("c1"), "bafy1", "ipfs://m1"]);
      let runner = await start(node, p, db);
      const cursor = runner.indexer.status().cursor!;
      const before = await data(runner.url, totals);
      await runner.stop();

      await p.send(a.bob, "DatanetRegistry", "contribute", [1n, hash("c2"), "bafy2", "ipfs://m2"]);
      await p.send(a.alice, "DatanetRegistry", "acceptContributions", [[1n, 2n]]);
      runner = await start(node, p, db);
      const resumedFrom = runner.indexer.events;
      const newCursor = runner.indexer.status().cursor!;
      const d = await data(runner.url, totals);
      await runner.stop();

      assert.equal(before.protocol.contributionCount, 1);
      assert.equal(resumedFrom, 3, "only the three new events are handled after the restart");
      assert.ok(newCursor.number > cursor.number);
      assert.deepEqual(d.protocol, { datanetCount: 1, contributionCount: 2, accountCount: 2 });
      assert.deepEqual(
        d.contributions.map((c: any) => c.id),
        ["1", "2"],
      );
      assert.equal(d.datanetChanges.length, 1);
      assert.equal(d.contributionStatusChanges.length, 2);
    } finally {
      await node.stop();
    }
  });
});

describe("reorg", () => {
  it("rolls back blocks that left the chain and indexes their replacements", async () => {
    const node = await startHardhatNode();
    try {
      const p = await deployProtocol(node.url);
      const a = actors(p);
      await p.send(a.alice, "DatanetRegistry", "createDatanet", ["ipfs://d1", "MIT", 0, 0]);
      await p.send(a.bob, "DatanetRegistry", "contribute", [1n, hash("keep"), "bafy-keep", "ipfs://keep"]);
      const snapshot = await rpc(p, "evm_snapshot");
      const runner = await start(node, p, path.join(dir, "reorg.sqlite"));
      try {
        await p.send(a.bob, "DatanetRegistry", "contribute", [1n, hash("orphan"), "bafy-orphan", "ipfs://orphan"]);
        await p.send(a.erin, "DatanetRegistry", "contribute", [1n, hash("orphan2"), "bafy-orphan2", "ipfs://orphan2"]);
        await runner.indexer.waitForBlock();
        const orphaned = await data(runner.url, totals);
        assert.equal(orphaned.protocol.contributionCount, 3);

        assert.equal(await rpc(p, "evm_revert", [snapshot]), true);
        await p.send(a.carol, "DatanetRegistry", "contribute", [1n, hash("replacement"), "bafy-new", "ipfs://new"]);
        await rpc(p, "hardhat_mine", ["0x3"]);
        await runner.indexer.waitForBlock();
        const d = await data(runner.url, totals);
        assert.deepEqual(d.protocol, { datanetCount: 1, contributionCount: 2, accountCount: 3 });
        assert.deepEqual(
          d.contributions.map((c: any) => [c.id, c.contentHash]),
          [
            ["1", hash("keep")],
            ["2", hash("replacement")],
          ],
        );
        const erin = await data(runner.url, `{ account(id: "${a.erin}") { id } }`);
        assert.equal(erin.account, null, "an account first seen in an orphaned block is gone");
      } finally {
        await runner.stop();
      }
    } finally {
      await node.stop();
    }
  });
});

describe("rebuilt dev chain", () => {
  it("detects a new chain behind the same URL and re-indexes it from the start block", async () => {
    const first = await startHardhatNode();
    let second: HardhatNode | undefined;
    let runner: Runner | undefined;
    try {
      const p1 = await deployProtocol(first.url);
      const a = actors(p1);
      await p1.send(a.alice, "DatanetRegistry", "createDatanet", ["ipfs://old-1", "MIT", 0, 0]);
      await p1.send(a.alice, "DatanetRegistry", "createDatanet", ["ipfs://old-2", "MIT", 0, 0]);
      await p1.send(a.bob, "DatanetRegistry", "contribute", [2n, hash("old"), "bafy-old", "ipfs://old"]);
      runner = await start(first, p1, path.join(dir, "rebuild.sqlite"));
      assert.equal((await data(runner.url, totals)).protocol.datanetCount, 2);

      await first.stop();
      second = await startHardhatNode(first.port);
      const p2 = await deployProtocol(second.url);
      assert.deepEqual(p2.deployment.contracts, p1.deployment.contracts, "same deployer, same addresses");
      await p2.send(a.carol, "DatanetRegistry", "createDatanet", ["ipfs://new-1", "Apache-2.0", 0, 0]);
      for (let i = 0; i < 6; i++) await p2.send(a.carol, "DatanetRegistry", "updateMetadata", [1n, `ipfs://new-1-v${i}`, "Apache-2.0"]);
      await runner.indexer.waitForBlock(Number(await p2.publicClient.getBlockNumber()));
      const d = await data(
        runner.url,
        `{ protocol(id: "modelfactory") { datanetCount contributionCount }
        datanets { id owner { id } metadataURI } _meta { block { hash } } }`,
      );
      assert.deepEqual(d.protocol, { datanetCount: 1, contributionCount: 0 });
      assert.deepEqual(d.datanets, [{ id: "1", owner: { id: a.carol.toLowerCase() }, metadataURI: "ipfs://new-1-v5" }]);
      assert.equal(d._meta.block.hash, (await p2.publicClient.getBlock()).hash);
    } finally {
      await runner?.stop();
      await second?.stop();
      await first.stop();
    }
  });
});
