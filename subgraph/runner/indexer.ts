// The sync loop: follows the chain and runs the mappings — historical logs from the start block
// in ranges, then new blocks as the chain announces them (local chains) or by polling; handlers
// in block and log order; one SQLite transaction per range (entities, undo journal, cursor).
// Loading the build is build.ts, the reorg search chain/reorg.ts, trigger decoding triggers.ts.
import type { Deployment } from "@modelfactory/sdk";
import { loadBuild } from "./build.ts";
import { isLocalChain, subscribeNewHeads } from "./chain/new-heads.ts";
import { reconcileCursor } from "./chain/reorg.ts";
import { Rpc, type RpcBlock } from "./chain/rpc.ts";
import { MappingError, RunnerError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import type { DataSource, SubgraphManifest } from "./manifest.ts";
import type { SchemaModel } from "./schema/model.ts";
import { EntityStore, type BlockPtr } from "./store/entity-store.ts";
import { blockPtr, decodeParams, transactionOf, triggersOf, type Trigger } from "./triggers.ts";
import { newEvent } from "./wasm/ethereum.ts";
import type { MappingModule } from "./wasm/mapping.ts";

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
    dataSources: DataSource[],
    mappings: Map<string, MappingModule>,
    fingerprint: string,
  ) {
    this.options = options;
    this.manifest = manifest;
    this.schema = schema;
    this.store = store;
    this.dataSources = dataSources;
    this.mappings = mappings;
    this.fingerprint = fingerprint;
    this.rpc = new Rpc(options.rpcUrl);
    this.range = options.blockRange;
  }

  /** Loads the built subgraph and opens the store (emptied when it was built for something else). */
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
    const build = await loadBuild(options.buildDir, options.deployment);
    const store = new EntityStore(options.dbFile, build.schema, {
      fingerprint: build.fingerprint,
      onReset: (reason) => options.logger("info", reason),
    });
    return new Indexer(options, build.manifest, build.schema, store, build.dataSources, build.mappings, build.fingerprint);
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
    const cursor = await reconcileCursor(this.store, this.rpc, head, this.options.logger);
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

  private async indexRange(from: number, to: number): Promise<void> {
    const addresses = this.dataSources.map((d) => d.address);
    const triggers = triggersOf(await this.rpc.logs(addresses, from, to), this.dataSources, this.mappings);
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
        current = blockPtr(block);
        processed.push(current);
        this.store.beginBlock(current);
      }
      const txIndex = txLogCounts.get(trigger.log.transactionHash) ?? 0;
      txLogCounts.set(trigger.log.transactionHash, txIndex + 1);
      this.handle(trigger, block, txIndex);
      sinceCommit++;
      this.events++;
    }
    this.store.commit(blockPtr(last), processed, this.options.reorgWindow);
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
