// Follows the chain and runs the mappings: historical logs from the start block in ranges,
// then new blocks by polling; handlers in block and log order; one SQLite transaction per
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
import type { LogLevel } from "./wasm/host.ts";
import { MappingModule } from "./wasm/mapping.ts";

export type Logger = (level: LogLevel, message: string) => void;

export type IndexerOptions = {
  rpcUrl: string;
  deployment: Deployment;
  /** Output of `graph build` (holds subgraph.yaml). */
  buildDir: string;
  /** SQLite file; ":memory:" for a throwaway store. */
  dbFile: string;
  pollIntervalMs?: number;
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
  readonly options: Required<Omit<IndexerOptions, "logger">> & { logger: Logger };
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
      pollIntervalMs: 500,
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

  /** Starts following the chain in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
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
      this.wake?.();
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
    let backoff = this.options.pollIntervalMs;
    this.store.deleteMeta("error");
    while (this.running) {
      try {
        const caughtUp = await this.syncOnce();
        backoff = this.options.pollIntervalMs;
        if (caughtUp) await this.idle(this.options.pollIntervalMs);
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
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Indexes up to one range of blocks. Returns true when caught up with the chain head. */
  async syncOnce(): Promise<boolean> {
    const chainId = await this.rpc.chainId();
    if (chainId !== this.options.deployment.chainId) {
      throw new RunnerError(
        `The RPC at ${this.options.rpcUrl} serves chain ${chainId}, but the deployment is for chain ${this.options.deployment.chainId}.`,
        { code: "CHAIN_MISMATCH" },
      );
    }
    const head = await this.rpc.blockNumber();
    this.chainHead = head;
    const cursor = await this.checkCursor(head);
    const from = cursor ? cursor.number + 1 : this.startBlock;
    if (from > head) {
      this.synced = true;
      this.notify();
      return true;
    }
    const to = Math.min(head, from + this.options.blockRange - 1);
    await this.indexRange(from, to);
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
