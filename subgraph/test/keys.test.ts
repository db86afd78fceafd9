// DatanetKeySet through the runner: real transactions on a Hardhat node, indexed by the compiled
// keys mapping onto the Datanet (key, version, key-service URL) and its history.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startRunner, type Runner } from "../runner/index.ts";
import { deployProtocol, startHardhatNode, type HardhatNode, type Protocol } from "./helpers/chain.ts";
import { buildDir } from "./helpers/fixture.ts";
import { data } from "./helpers/graphql.ts";
import { hash } from "./helpers/scenario.ts";

describe("Datanet keys", () => {
  let node: HardhatNode;
  let p: Protocol;
  let runner: Runner;
  before(async () => {
    node = await startHardhatNode();
    p = await deployProtocol(node.url);
    const [, alice] = p.accounts;
    await p.send(alice!, "DatanetRegistry", "createDatanet", ["ipfs://d1", "CC-BY-4.0", 1, 1]);
    await p.send(alice!, "DatanetRegistry", "createDatanet", ["ipfs://d2", "CC-BY-4.0", 1, 1]);
    await p.send(alice!, "DatanetKeys", "setEncryptionKey", [1n, hash("k1"), "http://127.0.0.1:8790"]);
    await p.send(alice!, "DatanetKeys", "setEncryptionKey", [1n, hash("k2"), "https://keys.example.org"]);
    runner = await startRunner({ rpcUrl: node.url, deployment: p.deployment, buildDir, dbFile: ":memory:", port: 0, pollIntervalMs: 100 });
    await runner.indexer.waitForBlock();
  });
  after(async () => {
    await runner?.stop();
    await node?.stop();
  });

  it("puts the latest key, version and URL on the Datanet and each set in its history", async () => {
    const alice = p.accounts[1]!.toLowerCase();
    const d = await data(
      runner.url,
      `{
      d1: datanet(id: "1") { encryptionKey keyVersion keyServiceURI
        history(orderBy: blockNumber, where: { kind: KeySet }) { kind actor { id } encryptionKey keyVersion keyServiceURI } }
      d2: datanet(id: "2") { encryptionKey keyVersion keyServiceURI }
    }`,
    );
    assert.deepEqual([d.d1.encryptionKey, d.d1.keyVersion, d.d1.keyServiceURI], [hash("k2"), "2", "https://keys.example.org"]);
    assert.deepEqual(
      d.d1.history.map((h: any) => [h.kind, h.actor.id, h.encryptionKey, h.keyVersion, h.keyServiceURI]),
      [
        ["KeySet", alice, hash("k1"), "1", "http://127.0.0.1:8790"],
        ["KeySet", alice, hash("k2"), "2", "https://keys.example.org"],
      ],
    );
    assert.deepEqual([d.d2.encryptionKey, d.d2.keyVersion, d.d2.keyServiceURI], [null, null, null], "a Datanet without a key has none");
  });
});
