// Index freshness on a local chain: the runner wakes on the chain's new heads (a WebSocket
// eth_subscribe on Hardhat's node), so a mined transaction is indexed without waiting for a poll.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isLocalChain, subscribeNewHeads, webSocketUrl } from "../runner/chain/new-heads.ts";
import { LOCAL_POLL_MS, REMOTE_POLL_MS, startRunner, type Runner } from "../runner/index.ts";
import { deployProtocol, startHardhatNode, type HardhatNode, type Protocol } from "./helpers/chain.ts";
import { buildDir } from "./helpers/fixture.ts";
import { data } from "./helpers/graphql.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("local chain detection", () => {
  it("treats dev chain ids and loopback RPCs as local, anything else as remote", () => {
    assert.equal(isLocalChain("https://rpc.example.org", 31337), true);
    assert.equal(isLocalChain("http://127.0.0.1:8545", 8453), true);
    assert.equal(isLocalChain("http://localhost:8545", 1), true);
    assert.equal(isLocalChain("http://[::1]:8545", 1), true);
    assert.equal(isLocalChain("https://mainnet.example.org", 1), false);
    assert.equal(isLocalChain("http://10.0.0.5:8545", 8453), false);
    assert.equal(isLocalChain("not a url", 1), false);
  });

  it("derives the WebSocket URL from the HTTP one", () => {
    assert.equal(webSocketUrl("http://127.0.0.1:8545"), "ws://127.0.0.1:8545/");
    assert.equal(webSocketUrl("https://rpc.example.org/v1/key"), "wss://rpc.example.org/v1/key");
    assert.throws(() => webSocketUrl("ftp://x"), /neither http\(s\) nor ws\(s\)/);
  });
});

describe("new heads", () => {
  let node: HardhatNode;
  let p: Protocol;
  let runner: Runner | undefined;
  before(async () => {
    node = await startHardhatNode();
    p = await deployProtocol(node.url);
  });
  after(async () => {
    await runner?.stop();
    await node?.stop();
  });

  it("announces every mined block of a Hardhat node", async () => {
    const heads: number[] = [];
    const statuses: boolean[] = [];
    const sub = subscribeNewHeads(node.url, { onHead: (n) => heads.push(n), onStatus: (s) => statuses.push(s) }, () => {});
    try {
      for (let i = 0; i < 50 && !statuses.at(-1); i++) await sleep(50);
      assert.deepEqual(statuses, [false, true]);
      const first = Number(await p.publicClient.getBlockNumber()) + 1;
      await p.publicClient.request({ method: "evm_mine" as never });
      await p.publicClient.request({ method: "evm_mine" as never });
      for (let i = 0; i < 50 && heads.length < 2; i++) await sleep(50);
      assert.deepEqual(heads, [first, first + 1]);
    } finally {
      sub.close();
    }
  });

  it("indexes a mined transaction on its new head, long before the next poll", async () => {
    // A one-minute poll: only the head notification can wake the runner in time.
    runner = await startRunner({
      rpcUrl: node.url,
      deployment: p.deployment,
      buildDir,
      dbFile: ":memory:",
      port: 0,
      pollIntervalMs: 60_000,
    });
    await runner.indexer.waitForBlock();
    await sleep(300); // the subscription is up, and the loop is idle in its one-minute wait
    const [, alice] = p.accounts;
    await p.send(alice!, "DatanetRegistry", "createDatanet", ["ipfs://fresh", "MIT", 0, 0]);
    const t0 = performance.now();
    let found = 0;
    while (performance.now() - t0 < 10_000) {
      found = (await data(runner.url, `{ datanets(where: { metadataURI: "ipfs://fresh" }) { id } }`)).datanets.length;
      if (found) break;
      await sleep(10);
    }
    assert.equal(found, 1, "the Datanet was not indexed within 10 s although its block was announced");
  });

  it("polls often on a local chain until the subscription is up, and at graph-node's pace after", async () => {
    const r = await startRunner({ rpcUrl: node.url, deployment: p.deployment, buildDir, dbFile: ":memory:", port: 0 });
    try {
      for (let i = 0; i < 50 && r.indexer.pollIntervalMs !== REMOTE_POLL_MS; i++) await sleep(50);
      assert.equal(r.indexer.pollIntervalMs, REMOTE_POLL_MS);
    } finally {
      await r.stop();
    }
    const noHeads = await startRunner({
      rpcUrl: node.url,
      deployment: p.deployment,
      buildDir,
      dbFile: ":memory:",
      port: 0,
      newHeads: false,
    });
    await noHeads.stop();
    assert.equal(noHeads.indexer.pollIntervalMs, REMOTE_POLL_MS);
    assert.ok(LOCAL_POLL_MS <= 100);
  });
});
