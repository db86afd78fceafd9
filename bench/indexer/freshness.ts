// Index freshness: how long after a transaction is mined its entity can be read over GraphQL.
// Each run sends one createDatanet (Hardhat automines it before eth_sendTransaction returns)
// and reads GraphQL every few milliseconds until the new Datanet is there. Runs start at spread
// offsets so that a polling indexer is caught at every phase of its interval, not one.
import { encodeFunctionData, type Address } from "viem";
import type { Protocol } from "../../subgraph/test/helpers/chain.ts";
import { data } from "../../subgraph/test/helpers/graphql.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds from "mined" to "visible in GraphQL" for `runs` transactions, sorted ascending. */
export async function measureTxToIndexed(p: Protocol, graphqlUrl: string, from: Address, runs: number, tag: string): Promise<number[]> {
  const registry = p.contracts.DatanetRegistry;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Offsets 0..499 ms in a fixed, well-spread order (211 is prime to 500).
    await sleep((i * 211) % 500);
    const uri = `ipfs://freshness-${tag}-${i}`;
    const input = encodeFunctionData({ abi: registry.abi, functionName: "createDatanet", args: [uri, "MIT", 0, 0] });
    await p.publicClient.request({
      method: "eth_sendTransaction" as never,
      params: [{ from, to: registry.address, data: input, gas: "0x493e0" }] as never,
    });
    const mined = performance.now();
    const deadline = mined + 10_000;
    for (;;) {
      const found = await data(graphqlUrl, `{ datanets(where: { metadataURI: "${uri}" }) { id } }`);
      if (found.datanets.length === 1) break;
      if (performance.now() > deadline) throw new Error(`Datanet ${uri} was not indexed within 10 s of being mined.`);
      await sleep(2);
    }
    times.push(performance.now() - mined);
  }
  return times.sort((a, b) => a - b);
}
