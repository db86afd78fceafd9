// Keeps the retrieval index equal to the accepted contributions of every Datanet a served
// model was trained on: a full read for a Datanet seen for the first time, then only the
// events since the last sync. Withdrawn or rejected contributions leave the index at once.
// Encrypted contributions (permissioned Datanets) are decrypted with data keys their Datanet's
// key service releases for retrieval by a model this node registered; the texts live only in
// this process's memory.
import { ContributionStatus, datanetRegistryAbi, describeError } from "@modelfactory/sdk";
import { readContributions, type ContentStore } from "@modelfactory/sdk/node";
import { blockRanges, type Chain } from "./chain.ts";
import { DatanetIndex } from "./rag/index.ts";
import { releaseDataKeys } from "./sealed-keys.ts";
import { contributionsAt, type ContributionInfo } from "./snapshot.ts";

export class RetrievalSync {
  readonly index = new DatanetIndex();
  private readonly chain: Chain;
  private readonly store: ContentStore;
  private readonly log: (m: string) => void;
  private readonly synced = new Set<string>();
  private readonly known = new Map<string, ContributionInfo>();
  private readonly blockTimes = new Map<bigint, number>();
  private syncedBlock = -1n;
  private running: Promise<void> | undefined;

  /** A served model trained on each Datanet: whose retrieval a sealed contribution's key is released for. */
  private models = new Map<bigint, bigint>();

  constructor(chain: Chain, store: ContentStore, log: (m: string) => void) {
    this.chain = chain;
    this.store = store;
    this.log = log;
  }

  /**
   * Brings the index up to date for `datanetIds` (one sync at a time); `models` names, per
   * Datanet, a model this node serves that was trained on it.
   */
  sync(datanetIds: Iterable<bigint>, models: ReadonlyMap<bigint, bigint> = new Map()): Promise<void> {
    this.models = new Map(models);
    // Every call gets a sync that starts after it was made (queued behind one in flight), so an
    // answer never relies on a sync that began before a withdrawal it must honour.
    const ids = [...datanetIds];
    const start = () => this.doSync(ids);
    const run: Promise<void> = (this.running ? this.running.then(start, start) : start()).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Removes a contribution now (e.g. found withdrawn while answering). */
  remove(contributionId: bigint): void {
    this.index.removeContribution(contributionId);
  }

  private async doSync(datanetIds: bigint[]): Promise<void> {
    const latest = await this.chain.publicClient.getBlockNumber();
    const fresh = datanetIds.filter((id) => !this.synced.has(id.toString()));
    if (this.syncedBlock >= 0n && latest > this.syncedBlock && this.synced.size > 0) {
      const statuses = new Map<string, number>();
      for (const [fromBlock, toBlock] of blockRanges(this.syncedBlock + 1n, latest)) {
        const registered = await this.chain.publicClient.getContractEvents({ address: this.chain.contracts.datanets.address, abi: datanetRegistryAbi, eventName: "ContributionRegistered", fromBlock, toBlock, strict: true });
        for (const e of registered) {
          if (!this.synced.has(e.args.datanetId.toString())) continue;
          const info: ContributionInfo = { id: e.args.contributionId, datanetId: e.args.datanetId, contributor: e.args.contributor, contentHash: e.args.contentHash, contentId: e.args.contentId, metadataURI: e.args.metadataURI, blockNumber: e.blockNumber, transactionHash: e.transactionHash };
          this.known.set(info.id.toString(), info);
          statuses.set(info.id.toString(), e.args.status);
        }
        const changed = await this.chain.publicClient.getContractEvents({ address: this.chain.contracts.datanets.address, abi: datanetRegistryAbi, eventName: "ContributionStatusChanged", fromBlock, toBlock, strict: true });
        for (const e of changed) if (this.synced.has(e.args.datanetId.toString())) statuses.set(e.args.contributionId.toString(), e.args.status);
      }
      for (const [id, status] of statuses) {
        const info = this.known.get(id);
        if (info) await this.apply(info, status);
      }
    }
    if (fresh.length) {
      for (const { info, status } of await contributionsAt(this.chain, fresh, latest)) {
        this.known.set(info.id.toString(), info);
        await this.apply(info, status);
      }
      for (const id of fresh) this.synced.add(id.toString());
    }
    this.syncedBlock = latest;
  }

  private async apply(info: ContributionInfo, status: number): Promise<void> {
    const indexed = this.index.has(info.id);
    if (status !== ContributionStatus.Accepted) {
      if (indexed) this.index.removeContribution(info.id);
      return;
    }
    if (indexed) return;
    let [result] = await readContributions(this.store, [{ id: info.id, cid: info.contentId, contentHash: info.contentHash }]);
    if (result && !result.ok && result.error.code === "CONTRIBUTION_SEALED") {
      const modelId = this.models.get(info.datanetId);
      if (modelId === undefined) {
        this.log(`retrieval: contribution ${info.id} is encrypted and no served model of this node was trained on Datanet ${info.datanetId}`);
        return;
      }
      try {
        const keys = await releaseDataKeys(this.chain, { purpose: "retrieve", modelId }, [{ id: info.id, datanetId: info.datanetId }]);
        [result] = await readContributions(this.store, [{ id: info.id, cid: info.contentId, contentHash: info.contentHash, dataKey: keys.get(info.id)! }]);
      } catch (error) {
        this.log(`retrieval: contribution ${info.id} not indexed: ${describeError(error)}`);
        return;
      }
    }
    if (!result?.ok) {
      this.log(`retrieval: contribution ${info.id} not indexed: ${result ? describeError(result.error) : "unreadable"}`);
      return;
    }
    try {
      this.index.upsertContribution(
        { contributionId: info.id, datanetId: info.datanetId, contributor: info.contributor, timestamp: await this.blockTime(info.blockNumber), transactionHash: info.transactionHash, contentId: info.contentId, metadataURI: info.metadataURI },
        result.records,
      );
    } catch (error) {
      this.log(`retrieval: contribution ${info.id} not indexed: ${describeError(error)}`);
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
