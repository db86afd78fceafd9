// One indexed chain per test file: a Hardhat node, the protocol, the scenario, and the runner
// serving GraphQL on a free port, torn down by pid at the end.
import path from "node:path";
import { startRunner, type Runner } from "../../runner/index.ts";
import { deployProtocol, startHardhatNode, type HardhatNode, type Protocol } from "./chain.ts";
import { runScenario, type Actors } from "./scenario.ts";

export const buildDir = path.resolve(import.meta.dirname, "../../build");

export type Indexed = { node: HardhatNode; protocol: Protocol; actors: Actors; runner: Runner; url: string; close: () => Promise<void> };

export async function indexedScenario(): Promise<Indexed> {
  const node = await startHardhatNode();
  try {
    const protocol = await deployProtocol(node.url);
    const actors = await runScenario(protocol);
    const runner = await startRunner({
      rpcUrl: node.url,
      deployment: protocol.deployment,
      buildDir,
      dbFile: ":memory:",
      port: 0,
      pollIntervalMs: 100,
    });
    await runner.indexer.waitForBlock();
    return {
      node,
      protocol,
      actors,
      runner,
      url: runner.url,
      close: async () => {
        await runner.stop();
        await node.stop();
      },
    };
  } catch (e) {
    await node.stop();
    throw e;
  }
}
