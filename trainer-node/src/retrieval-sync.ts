// Keeps the retrieval index equal to the accepted contributions of every Datanet a served
// model was trained on: a full read for a Datanet seen for the first time, then only the
// events since the last sync. Withdrawn or rejected contributions leave the index at once.
// Encrypted contributions (permissioned Datanets) are decrypted with data keys their Datanet's
// key service releases for retrieval by a model this node registered; the texts live only in
// this process's memory, and only while that model's builder holds train or retrieve access:
// every sync reads that access at the latest block, and when no served model over a Datanet
// keeps it (a grant revoked or expired) the Datanet's decrypted passages leave memory at once.
import { ContributionStatus, datanetRegistryAbi, describeError, Scope, trainingJobsAbi } from "@modelfactory/sdk";
import { readContributions, type ContentStore } from "@modelfactory/sdk/node";
import type { Address } from "viem";
import { blockRanges, type Chain } from "./chain.ts";
import { DatanetIndex } from "./rag/index.ts";
import { releaseDataKeys } from "./sealed-keys.ts";
import { contributionsAt, type ContributionInfo } from "./snapshot.ts";

/** A model this node serves, and the Datanets it was trained on (whose passages it retrieves). */
export type RetrievalModel = { modelId: bigint; datanetIds: readonly bigint[] };

export class RetrievalSync {
  readonly index = new DatanetIndex();
  private readonly chain: Chain;
  private readonly store: ContentStore;
  private readonly log: (m: string) => void;
  private readonly synced = new Set<string>();
  private readonly known = new Map<string, { info: ContributionInfo; status: number }>();
  private readonly blockTimes = new Map<bigint, number>();
  private readonly builders = new Map<bigint, Address>();
  private syncedBlock = -1n;
  private running: Promise<void> | undefined;
  private models: RetrievalModel[] = [];
  /** `${modelId}:${datanetId}` whose builder held train or retrieve access at the last sync. */
  private access = new Set<string>();
  /** Per Datanet, the indexed contributions that were encrypted (their text came from a released key). */
  private readonly sealed = new Map<string, Set<string>>();
  /** Per Datanet, encrypted contributions not indexed because no served model's builder may retrieve them now. */
  private readonly locked = new Map<string, Set<string>>();

  constructor(chain: Chain, store: ContentStore, log: (m: string) => void) {
    this.chain = chain;
    this.store = store;
    this.log = log;
  }

  /** Brings the index up to date for the Datanets of `models` (one sync at a time). */
  sync(models: Iterable<RetrievalModel>): Promise<void> {
    const list = [...models].map((m) => ({ modelId: m.modelId, datanetIds: [...m.datanetIds] }));
    // Every call gets a sync that starts after it was made (queued behind one in flight), so an
    // answer never relies on a sync that began before a withdrawal or revocation it must honour.
    const start = () => this.doSync(list);
    const run: Promise<void> = (this.running ? this.running.then(start, start) : start()).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /**
   * Of `datanetIds`, those `modelId` may retrieve from: the ones its builder held train or
   * retrieve access to at the last sync (open Datanets always).
   */
  retrievable(modelId: bigint, datanetIds: readonly bigint[]): bigint[] {
    return datanetIds.filter((d) => this.access.has(`${modelId}:${d}`));
  }

  /** Removes a contribution now (e.g. found withdrawn while answering). */
  remove(contributionId: bigint): void {
    this.index.removeContribution(contributionId);
    for (const set of this.sealed.values()) set.delete(contributionId.toString());
  }

  private async doSync(models: RetrievalModel[]): Promise<void> {
    this.models = models;
    // Uncached: viem reuses a block number for a polling interval, and an answer right after a
    // revocation must read the block that holds it.
    const latest = await this.chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const heldBefore = new Set([...this.locked.keys()].filter((d) => this.holder(BigInt(d)) !== undefined));
    await this.readAccess(models, latest);
    // Access lost: a Datanet's decrypted passages leave memory before anything else happens.
    for (const [d, ids] of this.sealed) {
      if (!ids.size || this.holder(BigInt(d)) !== undefined) continue;
      const lock = this.lockedOf(d);
      for (const id of ids) {
        this.index.removeContribution(id);
        lock.add(id);
      }
      this.log(
        `retrieval: no served model's builder holds train or retrieve access to Datanet ${d} any more; dropped its ${ids.size} encrypted contribution(s) from memory`,
      );
      ids.clear();
      this.index.compact();
    }
    const datanetIds = [...new Set(models.flatMap((m) => m.datanetIds.map(String)))].map(BigInt);
    const fresh = datanetIds.filter((id) => !this.synced.has(id.toString()));
    if (this.syncedBlock >= 0n && latest > this.syncedBlock && this.synced.size > 0) {
      const statuses = new Map<string, number>();
      for (const [fromBlock, toBlock] of blockRanges(this.syncedBlock + 1n, latest)) {
        const registered = await this.chain.publicClient.getContractEvents({
          address: this.chain.contracts.datanets.address,
          abi: datanetRegistryAbi,
          eventName: "ContributionRegistered",
          fromBlock,
          toBlock,
          strict: true,
        });
        for (const e of registered) {
          if (!this.synced.has(e.args.datanetId.toString())) continue;
          const info: ContributionInfo = {
            id: e.args.contributionId,
            datanetId: e.args.datanetId,
            contributor: e.args.contributor,
            contentHash: e.args.contentHash,
            contentId: e.args.contentId,
            metadataURI: e.args.metadataURI,
            blockNumber: e.blockNumber,
            transactionHash: e.transactionHash,
          };
          this.known.set(info.id.toString(), { info, status: e.args.status });
          statuses.set(info.id.toString(), e.args.status);
        }
        const changed = await this.chain.publicClient.getContractEvents({
          address: this.chain.contracts.datanets.address,
          abi: datanetRegistryAbi,
          eventName: "ContributionStatusChanged",
          fromBlock,
          toBlock,
          strict: true,
        });
        for (const e of changed)
          if (this.synced.has(e.args.datanetId.toString())) statuses.set(e.args.contributionId.toString(), e.args.status);
      }
      for (const [id, status] of statuses) {
        const known = this.known.get(id);
        if (!known) continue;
        known.status = status;
        await this.apply(known.info, status);
      }
    }
    if (fresh.length) {
      for (const { info, status } of await contributionsAt(this.chain, fresh, latest)) {
        this.known.set(info.id.toString(), { info, status });
        await this.apply(info, status);
      }
      for (const id of fresh) this.synced.add(id.toString());
    }
    // Access regained (a new grant): the encrypted contributions held back are asked for again
    // (once per regain, not on every sync while a key service refuses).
    for (const [d, ids] of this.locked) {
      if (!ids.size || heldBefore.has(d) || this.holder(BigInt(d)) === undefined) continue;
      const retry = [...ids];
      ids.clear();
      for (const id of retry) {
        const known = this.known.get(id);
        if (known) await this.apply(known.info, known.status);
      }
    }
    this.syncedBlock = latest;
  }

  /** Reads, at `blockNumber`, whether each served model's builder holds train or retrieve access to each of its Datanets. */
  private async readAccess(models: RetrievalModel[], blockNumber: bigint): Promise<void> {
    const { publicClient, contracts } = this.chain;
    await Promise.all(
      models
        .filter((m) => !this.builders.has(m.modelId))
        .map(async (m) => {
          this.builders.set(
            m.modelId,
            await publicClient.readContract({
              address: contracts.jobs.address,
              abi: trainingJobsAbi,
              functionName: "modelBuilder",
              args: [m.modelId],
            }),
          );
        }),
    );
    const pairs = models.flatMap((m) =>
      m.datanetIds.map((d) => ({ key: `${m.modelId}:${d}`, datanetId: d, builder: this.builders.get(m.modelId)! })),
    );
    const held = await Promise.all(
      pairs.map(async ({ datanetId, builder }) => {
        const read = (scope: number) =>
          publicClient.readContract({
            address: contracts.datanets.address,
            abi: datanetRegistryAbi,
            functionName: "hasAccess",
            args: [datanetId, builder, scope],
            blockNumber,
          });
        const [train, retrieve] = await Promise.all([read(Scope.Train), read(Scope.Retrieve)]);
        return train || retrieve;
      }),
    );
    this.access = new Set(pairs.filter((_, i) => held[i]).map((p) => p.key));
  }

  /** A served model over `datanetId` whose builder holds access now: whose retrieval its keys are released for. */
  private holder(datanetId: bigint): bigint | undefined {
    return this.models.find((m) => m.datanetIds.includes(datanetId) && this.access.has(`${m.modelId}:${datanetId}`))?.modelId;
  }

  private lockedOf(datanetId: string): Set<string> {
    let set = this.locked.get(datanetId);
    if (!set) this.locked.set(datanetId, (set = new Set()));
    return set;
  }

  private async apply(info: ContributionInfo, status: number): Promise<void> {
    const id = info.id.toString();
    const datanet = info.datanetId.toString();
    const indexed = this.index.has(info.id);
    if (status !== ContributionStatus.Accepted) {
      if (indexed) this.index.removeContribution(info.id);
      this.sealed.get(datanet)?.delete(id);
      this.locked.get(datanet)?.delete(id);
      return;
    }
    if (indexed) return;
    let [result] = await readContributions(this.store, [{ id: info.id, cid: info.contentId, contentHash: info.contentHash }]);
    const encrypted = Boolean(result && !result.ok && result.error.code === "CONTRIBUTION_SEALED");
    if (encrypted) {
      const modelId = this.holder(info.datanetId);
      if (modelId === undefined) {
        this.lockedOf(datanet).add(id);
        this.log(
          `retrieval: contribution ${id} is encrypted and no served model's builder holds train or retrieve access to Datanet ${datanet} now; not indexed`,
        );
        return;
      }
      try {
        const keys = await releaseDataKeys(this.chain, { purpose: "retrieve", modelId }, [{ id: info.id, datanetId: info.datanetId }]);
        [result] = await readContributions(this.store, [
          { id: info.id, cid: info.contentId, contentHash: info.contentHash, dataKey: keys.get(info.id)! },
        ]);
      } catch (error) {
        // Refused (access lost between our read and the key service's): asked again when access returns.
        this.lockedOf(datanet).add(id);
        this.log(`retrieval: contribution ${id} not indexed: ${describeError(error)}`);
        return;
      }
    }
    if (!result?.ok) {
      this.log(`retrieval: contribution ${id} not indexed: ${result ? describeError(result.error) : "unreadable"}`);
      return;
    }
    try {
      this.index.upsertContribution(
        {
          contributionId: info.id,
          datanetId: info.datanetId,
          contributor: info.contributor,
          timestamp: await this.blockTime(info.blockNumber),
          transactionHash: info.transactionHash,
          contentId: info.contentId,
          metadataURI: info.metadataURI,
        },
        result.records,
      );
      if (encrypted) {
        let set = this.sealed.get(datanet);
        if (!set) this.sealed.set(datanet, (set = new Set()));
        set.add(id);
      }
    } catch (error) {
      this.log(`retrieval: contribution ${id} not indexed: ${describeError(error)}`);
    }
  }

  private async blockTime(blockNumber: bigint): Promise<number> {
    let t = this.blockTimes.get(blockNumber);
    if (t === undefined) {
      t = Number((await this.chain.publicClient.getBlock({ blockNumber })).timestamp);
      this.blockTimes.set(blockNumber, t);
    }
    return t;
  }
}
