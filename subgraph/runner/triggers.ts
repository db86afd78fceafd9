// Turns raw logs into what the mappings run on: the handler each log triggers (by data source
// address and topic0, from its start block on), in block and log order; the event's parameters
// decoded from its ABI item; its transaction looked up in the block.
import { decodeEventLog, type AbiEvent, type Hex } from "viem";
import type { RpcBlock, RpcLog, RpcTransaction } from "./chain/rpc.ts";
import type { DataSource, EventHandler } from "./manifest.ts";
import type { BlockPtr } from "./store/entity-store.ts";
import type { DecodedParam } from "./wasm/ethereum.ts";
import type { MappingModule } from "./wasm/mapping.ts";

export type Trigger = { log: RpcLog; dataSource: DataSource; handler: EventHandler; mapping: MappingModule };

/** The triggers of `logs`, sorted by block number, then log index. Removed logs are skipped. */
export function triggersOf(logs: RpcLog[], dataSources: DataSource[], mappings: Map<string, MappingModule>): Trigger[] {
  const triggers: Trigger[] = [];
  for (const log of logs) {
    if (log.removed) continue;
    const address = log.address.toLowerCase();
    for (const dataSource of dataSources) {
      if (dataSource.address !== address || Number(log.blockNumber) < dataSource.startBlock) continue;
      const handler = dataSource.handlers.get(log.topics[0] as Hex);
      if (handler) triggers.push({ log, dataSource, handler, mapping: mappings.get(dataSource.name)! });
    }
  }
  return triggers.sort((a, b) => Number(a.log.blockNumber) - Number(b.log.blockNumber) || Number(a.log.logIndex) - Number(b.log.logIndex));
}

/** The event's parameters in ABI order; indexed dynamic types are their topic hash (bytes32). */
export function decodeParams(event: AbiEvent, log: RpcLog): DecodedParam[] {
  const { args } = decodeEventLog({
    abi: [event],
    data: log.data as Hex,
    topics: log.topics as [Hex, ...Hex[]],
  }) as unknown as { args: Record<string, unknown> };
  return event.inputs.map((input, i) => {
    const value = args[input.name ?? String(i)];
    // Indexed strings, bytes, arrays and tuples are only their hash in the topic.
    const hashed =
      input.indexed && (input.type === "string" || input.type === "bytes" || input.type.endsWith("]") || input.type.startsWith("tuple"));
    return { input: hashed ? { ...input, type: "bytes32" } : input, value };
  });
}

const txIndexes = new WeakMap<RpcBlock, Map<string, RpcTransaction>>();

/** A transaction of a block fetched with its transactions, by hash. */
export function transactionOf(block: RpcBlock, hash: string): RpcTransaction | undefined {
  let map = txIndexes.get(block);
  if (!map) {
    map = new Map((block.transactions as RpcTransaction[]).map((t) => [t.hash, t]));
    txIndexes.set(block, map);
  }
  return map.get(hash);
}

export function blockPtr(block: RpcBlock): BlockPtr {
  return { number: Number(block.number), hash: block.hash, parentHash: block.parentHash, timestamp: Number(block.timestamp) };
}
