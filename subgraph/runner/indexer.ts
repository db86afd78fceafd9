// Follows the chain and runs the mappings: historical logs from the start block in ranges,
// then new blocks as the chain announces them (local chains) or by polling; handlers in block and log order; one SQLite transaction per
// range (entities, undo journal, cursor). A block hash that no longer matches rolls the store
// back to the last common block, or rebuilds it when there is none (a restarted dev chain).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { DatabaseSync } from "node:sqlite";
import { decodeEventLog, type AbiEvent, type Hex } from "viem";
import type { Deployment } from "@modelfactory/sdk";
import { CONTRACT_NAMES } from "@modelfactory/sdk";
import { Rpc, type RpcBlock, type RpcLog, type RpcTransaction } from "./chain/rpc.ts";
import { MappingError, RunnerError } from "./errors.ts";
import { loadManifest, type DataSource, type EventHandler, type SubgraphManifest } from "./manifest.ts";
import { parseSchemaModel, type SchemaModel } from "./schema/model.ts";
import { EntityStore, type BlockPtr } from "./store/entity-store.ts";
import { newEvent, type DecodedParam } from "./wasm/ethereum.ts";
import { MappingModule } from "./wasm/mapping.ts";
import { isLocalChain, subscribeNewHeads } from "./chain/new-heads.ts";
import type { Logger } from "./logger.ts";

export type { Logger } from "./logger.ts";

/** graph-node's default polling interval, kept for remote chains. */
export const REMOTE_POLL_MS = 500;
/** Polling interval of a local chain whose new-head subscription is not (yet) available. */
export const LOCAL_POLL_MS = 50;

export type IndexerOptions = {
  rpcUrl: string;
  deployment: Deployment;
  /** Output of `graph build` (holds subgraph.yaml). */
  buildDir: string;
  /** SQLite file; ":memory:" for a throwaway store. */
  dbFile: string;
  /**
   * Fixed polling interval. Unset: 500 ms for remote chains (graph-node's default); on a local
   * chain (dev chain id or loopback RPC) new heads wake the loop at once, with a 500 ms poll
   * as a safety net, or a 50 ms poll while no subscription is available.
   */
  pollIntervalMs?: number;
  /** Wake on `eth_subscribe("newHeads")`; defaults to true on local chains. */
  newHeads?: boolean;
  /** Blocks per eth_getLogs request. */
  blockRange?: number;
  /** How many blocks back the undo journal reaches; deeper reorgs rebuild from scratch. */
  reorgWindow?: number;
  /** Commit after this many events even inside a range, to bound memory. */
  commitEvery?: number;
  logger?: Logger;
};

export type IndexerStatus = {
  cursor: BlockPtr | null;
  chainHead: number | null;
  error: string | null;
  synced: boolean;
  events: number;
};

type Trigger = { log: RpcLog; dataSource: DataSource; handler: EventHandler; mapping: MappingModule };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Indexer {
  readonly options: Required<Omit<IndexerOptions, "logger" | "pollIntervalMs" | "newHeads">> & {
    logger: Logger;
    pollIntervalMs: number | undefined;
    newHeads: boolean;
  };
  readonly manifest: SubgraphManifest;
  readonly schema: SchemaModel;
  readonly store: EntityStore;
  readonly rpc: Rpc;
  readonly fingerprint: string;
  private readonly dataSources: DataSource[];
  private readonly mappings: Map<string, MappingModule>;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A new head arrived while a sync was running: sync again before idling. */
  private headPending = false;
  private subscribed = false;
  private heads: { close: () => void } | undefined;
  /** Blocks per eth_getLogs: `blockRange`, halved while the RPC's answers are too large. */
  private range: number;
  private chainHead: number | null = null;
  private synced = false;
  /** Events handled since start. */
  events = 0;
  private listeners = new Set<() => void>();

  private constructor(
    options: Indexer["options"],
    manifest: SubgraphManifest,
    schema: SchemaModel,
    store: EntityStore,
    mappings: Map<string, MappingModule>,
    fingerprint: string,
  ) {
    this.options = options;
    this.manifest = manifest;
    this.schema = schema;
    this.store = store;
    this.mappings = mappings;
    this.fingerprint = fingerprint;
    this.rpc = new Rpc(options.rpcUrl);
    this.range = options.blockRange;
    // Addresses and start blocks come from the deployment file, matched by data source name.
    this.dataSources = manifest.dataSources.map((ds) => {
      const deployed = options.deployment.contracts[ds.name as (typeof CONTRACT_NAMES)[number]];
      if (!deployed) throw new RunnerError(`Data source ${ds.name} has no contract of that name in the deployment file.`);
      return { ...ds, address: deployed.address.toLowerCase(), startBlock: deployed.blockNumber };
    });
  }

  /** Loads the built subgraph and opens (or resets) the store. */
  static async create(opts: IndexerOptions): Promise<Indexer> {
    const options = {
      pollIntervalMs: undefined,
      newHeads: isLocalChain(opts.rpcUrl, opts.deployment.chainId),
      blockRange: 2000,
      reorgWindow: 1000,
      commitEvery: 5000,
      logger: (() => {}) as Logger,
      ...opts,
    };
    const manifest = await loadManifest(options.buildDir);
    const schemaSource = await readFile(manifest.schemaFile, "utf8");
    const schema = parseSchemaModel(schemaSource);
    const mappings = new Map<string, MappingModule>();
    const hash = createHash("sha256").update(schemaSource);
    for (const ds of manifest.dataSources) {
      const handlers = [...ds.handlers.values()].map((h) => h.handler);
      mappings.set(ds.name, await MappingModule.load(ds.name, ds.wasmFile, handlers));
      hash.update(await readFile(ds.wasmFile));
    }
    hash.update(JSON.stringify(options.deployment));
    const fingerprint = hash.digest("hex").slice(0, 32);
    resetIfChanged(options.dbFile, fingerprint, options.logger);
    const store = new EntityStore(options.dbFile, schema);
    store.setMeta("fingerprint", fingerprint);
    return new Indexer(options, manifest, schema, store, mappings, fingerprint);
  }

  get startBlock(): number {
    return Math.min(...this.dataSources.map((d) => d.startBlock));
  }

  status(): IndexerStatus {
    return {
      cursor: this.store.cursor(),
      chainHead: this.chainHead,
      error: this.store.getMeta("error") ?? null,
      synced: this.synced,
      events: this.events,
    };
  }

  /** The polling interval in force now (see `IndexerOptions.pollIntervalMs`). */
  get pollIntervalMs(): number {
    if (this.options.pollIntervalMs !== undefined) return this.options.pollIntervalMs;
    if (!this.options.newHeads) return REMOTE_POLL_MS;
    return this.subscribed ? REMOTE_POLL_MS : LOCAL_POLL_MS;
  }

  /** Starts following the chain in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.options.newHeads) {
      this.heads = subscribeNewHeads(
        this.options.rpcUrl,
        {
          onHead: () => this.wakeUp(),
          onStatus: (subscribed) => {
            this.subscribed = subscribed;
            if (subscribed) this.wakeUp();
          },
        },
        this.options.logger,
      );
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.heads?.close();
    this.heads = undefined;
    this.wake?.();
    await this.loop;
  }

  private wakeUp(): void {
    this.headPending = true;
    this.wake?.();
  }

  close(): void {
    this.store.close();
  }

  /** Resolves once the store has reached `blockNumber` (or the chain head when omitted). */
  async waitForBlock(blockNumber?: number, timeoutMs = 60_000): Promise<void> {
    const target = blockNumber ?? (await this.rpc.blockNumber());
    const deadline = Date.now() + timeoutMs;
    while ((this.store.cursor()?.number ?? -1) < target) {
      const error = this.store.getMeta("error");
      if (error) throw new RunnerError(`Indexing failed: ${error}`);
      if (Date.now() > deadline) throw new RunnerError(`Timed out waiting for block ${target}.`);
      this.wakeUp();
      await new Promise<void>((resolve) => {
        this.listeners.add(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  private notify(): void {
    for (const l of this.listeners) l();
    this.listeners.clear();
  }

  private async run(): Promise<void> {
    const log = this.options.logger;
    let backoff = this.pollIntervalMs;
    this.store.deleteMeta("error");
    while (this.running) {
      try {
        this.headPending = false;
        const caughtUp = await this.syncOnce();
        backoff = this.pollIntervalMs;
        if (caughtUp) await this.idle(this.pollIntervalMs);
      } catch (e) {
        if (e instanceof MappingError || (e instanceof RunnerError && e.code === "CHAIN_MISMATCH")) {
          // Deterministic: retrying the same block fails the same way. Stop and report.
          this.store.setMeta("error", e.message);
          log("error", `Indexing stopped: ${e.message}`);
          this.running = false;
          this.notify();
          return;
        }
        log("warning", `Chain access failed, retrying in ${backoff} ms: ${(e as Error).message}`);
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.headPending || !this.running) return resolve();
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Indexes up to one range of blocks. Returns true when caught up with the chain head. */
  async syncOnce(): Promise<boolean> {
    // One batched HTTP request for both.
    const [chainId, head] = await Promise.all([this.rpc.chainId(), this.rpc.blockNumber()]);
    if (chainId !== this.options.deployment.chainId) {
      throw new RunnerError(
        `The RPC at ${this.options.rpcUrl} serves chain ${chainId}, but the deployment is for chain ${this.options.deployment.chainId}.`,
        { code: "CHAIN_MISMATCH" },
      );
    }
    this.chainHead = head;
    const cursor = await this.checkCursor(head);
    const from = cursor ? cursor.number + 1 : this.startBlock;
    if (from > head) {
      this.synced = true;
      this.notify();
      return true;
    }
    const to = Math.min(head, from + this.range - 1);
    try {
      await this.indexRange(from, to);
    } catch (e) {
      // Nothing was written yet (logs and blocks are read first): retry at once with half the range.
      if (!isResponseTooLarge(e) || to === from) throw e;
      this.range = Math.max(1, Math.floor((to - from + 1) / 2));
      this.options.logger("debug", `The RPC's answer for blocks ${from}–${to} was too large: reading ${this.range} blocks at a time.`);
      return false;
    }
    this.synced = to === head;
    this.notify();
    return this.synced;
  }

  /**
   * Compares the cursor with the chain. On a mismatch, rolls back to the newest processed
   * block the chain still has, or wipes the store when none is left. Returns the cursor to use.
   */
  private async checkCursor(head: number): Promise<BlockPtr | null> {
    const cursor = this.store.cursor();
    if (!cursor) return null;
    const onChain = cursor.number <= head ? await this.rpc.block(cursor.number) : null;
    if (onChain && onChain.hash === cursor.hash) return cursor;
    const log = this.options.logger;
    log("warning", `Block ${cursor.number} (${cursor.hash}) is no longer on the chain: looking for the common ancestor.`);
    const known = this.store.blocks().filter((b) => b.number <= head);
    for (let i = 0; i < known.length; i += 50) {
      const slice = known.slice(i, i + 50);
      const chain = await this.rpc.blocks(slice.map((b) => b.number));
      const match = slice.findIndex((b, j) => chain[j]?.hash === b.hash);
      if (match >= 0) {
        const ancestor = slice[match]!;
        const undone = this.store.revertTo(ancestor);
        log("warning", `Reorg: rolled back to block ${ancestor.number} (${undone} entity changes undone).`);
        return ancestor;
      }
    }
    log("warning", "No processed block is on the chain any more (rebuilt dev chain?): re-indexing from the start block.");
    this.store.wipe();
    return null;
  }

  private async indexRange(from: number, to: number): Promise<void> {
    const addresses = this.dataSources.map((d) => d.address);
    const logs = (await this.rpc.logs(addresses, from, to)).filter((l) => !l.removed);
    const triggers: Trigger[] = [];
    for (const log of logs) {
      const address = log.address.toLowerCase();
      for (const dataSource of this.dataSources) {
        if (dataSource.address !== address || Number(log.blockNumber) < dataSource.startBlock) continue;
        const handler = dataSource.handlers.get(log.topics[0] as Hex);
        if (handler) triggers.push({ log, dataSource, handler, mapping: this.mappings.get(dataSource.name)! });
      }
    }
    triggers.sort(
      (a, b) => Number(a.log.blockNumber) - Number(b.log.blockNumber) || Number(a.log.logIndex) - Number(b.log.logIndex),
    );
    const numbers = [...new Set(triggers.map((t) => Number(t.log.blockNumber)))];
    const fetched = await this.rpc.blocks(numbers, true);
    const blocks = new Map<number, RpcBlock>();
    fetched.forEach((b, i) => {
      if (!b) throw new RunnerError(`Block ${numbers[i]} disappeared while indexing (reorg); retrying.`);
      blocks.set(numbers[i]!, b);
    });
    const last = blocks.get(to) ?? (await this.rpc.block(to));
    if (!last) throw new RunnerError(`Block ${to} disappeared while indexing (reorg); retrying.`);

    let processed: BlockPtr[] = [];
    let sinceCommit = 0;
    let current: BlockPtr | undefined;
    const txLogCounts = new Map<string, number>();
    for (const trigger of triggers) {
      const number = Number(trigger.log.blockNumber);
      const block = blocks.get(number)!;
      if (block.hash !== trigger.log.blockHash) {
        this.store.discard();
        throw new RunnerError(`Block ${number} changed while indexing (reorg); retrying.`);
      }
      if (current?.number !== number) {
        if (current && sinceCommit >= this.options.commitEvery) {
          this.store.commit(current, processed, this.options.reorgWindow);
          processed = [];
          sinceCommit = 0;
        }
        current = ptr(block);
        processed.push(current);
        this.store.beginBlock(current);
      }
      const txIndex = txLogCounts.get(trigger.log.transactionHash) ?? 0;
      txLogCounts.set(trigger.log.transactionHash, txIndex + 1);
      this.handle(trigger, block, txIndex);
      sinceCommit++;
      this.events++;
    }
    this.store.commit(ptr(last), processed, this.options.reorgWindow);
    if (triggers.length > 0) {
      this.options.logger("debug", `Indexed blocks ${from}–${to}: ${triggers.length} events.`);
    }
  }

  private handle(trigger: Trigger, block: RpcBlock, transactionLogIndex: number): void {
    const { log, handler, dataSource, mapping } = trigger;
    const tx = transactionOf(block, log.transactionHash);
    if (!tx) throw new RunnerError(`Transaction ${log.transactionHash} is missing from block ${block.number}.`);
    const params = decodeParams(handler.event, log);
    try {
      mapping.run(
        handler.handler,
        Number(log.blockNumber),
        {
          store: this.store,
          schema: this.schema,
          dataSource: { name: dataSource.name, address: dataSource.address, network: dataSource.network },
          log: (level, message) => this.options.logger(level, `[${dataSource.name}] ${message}`),
        },
        (heap) => newEvent(heap, log, block, tx, params, transactionLogIndex),
      );
    } catch (e) {
      this.store.discard();
      const where = `${handler.handler} at block ${Number(log.blockNumber)}, log ${Number(log.logIndex)}, tx ${log.transactionHash}`;
      throw new MappingError(`${(e as Error).message} (${where})`, { cause: e });
    }
  }
}

/** viem's response size limit, or a provider's "too many results" refusal of eth_getLogs. */
function isResponseTooLarge(e: unknown): boolean {
  for (let c = e as { name?: string; message?: string; cause?: unknown } | undefined; c; c = c.cause as typeof c) {
    if (c.name === "ResponseBodyTooLargeError") return true;
    if (/more than \d+ results|response size (is )?(too large|exceeded)|query returned more than/i.test(c.message ?? "")) return true;
  }
  return false;
}

const txIndexes = new WeakMap<RpcBlock, Map<string, RpcTransaction>>();

function transactionOf(block: RpcBlock, hash: string): RpcTransaction | undefined {
  let map = txIndexes.get(block);
  if (!map) {
    map = new Map((block.transactions as RpcTransaction[]).map((t) => [t.hash, t]));
    txIndexes.set(block, map);
  }
  return map.get(hash);
}

function ptr(block: RpcBlock): BlockPtr {
  return { number: Number(block.number), hash: block.hash, parentHash: block.parentHash, timestamp: Number(block.timestamp) };
}

function decodeParams(event: AbiEvent, log: RpcLog): DecodedParam[] {
  const { args } = decodeEventLog({
    abi: [event],
    data: log.data as Hex,
    topics: log.topics as [Hex, ...Hex[]],
  }) as unknown as { args: Record<string, unknown> };
  return event.inputs.map((input, i) => {
    const value = args[input.name ?? String(i)];
    // Indexed strings, bytes, arrays and tuples are only their hash in the topic.
    const hashed = input.indexed && (input.type === "string" || input.type === "bytes" || input.type.endsWith("]") || input.type.startsWith("tuple"));
    return { input: hashed ? { ...input, type: "bytes32" } : input, value };
  });
}

/** Drops every table of a store built for another schema, mapping or deployment. */
function resetIfChanged(file: string, fingerprint: string, log: Logger): void {
  if (file === ":memory:") return;
  const db = new DatabaseSync(file);
  try {
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_runner_meta'").get();
    const stored = hasMeta
      ? (db.prepare("SELECT value FROM _runner_meta WHERE key = 'fingerprint'").get() as { value: string } | undefined)?.value
      : undefined;
    if (stored === fingerprint) return;
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
    }[];
    if (tables.length > 0) {
      log("info", "The subgraph build or the deployment changed since the store was written: re-indexing from scratch.");
    }
    for (const t of tables) db.exec(`DROP TABLE IF EXISTS "${t.name.replaceAll('"', '""')}"`);
  } finally {
    db.close();
  }
}
