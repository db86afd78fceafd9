// What a job may train on: for each of its Datanets, the contributions accepted as of the
// job's snapshot block and not withdrawn since (a withdrawal leaves every job that has not
// trained yet), read from chain events alone; and the builder's train access, re-checked at
// the snapshot and now, so data is never used after access was revoked or expired.
import type { Address, Hex } from "viem";
import { ContributionStatus, Scope, datanetRegistryAbi } from "@modelfactory/sdk";
import { blockRanges, type Chain } from "./chain.ts";
import { JobFailure } from "./errors.ts";

/** A contribution as registered on chain, with what the GUI and citations show. */
export type ContributionInfo = {
  id: bigint;
  datanetId: bigint;
  contributor: Address;
  contentHash: Hex;
  contentId: string;
  metadataURI: string;
  blockNumber: bigint;
  transactionHash: Hex;
};

/** Contribution records of the given Datanets with their status at `atBlock`. */
export async function contributionsAt(
  chain: Chain,
  datanetIds: readonly bigint[],
  atBlock: bigint,
): Promise<{ info: ContributionInfo; status: number }[]> {
  const out: { info: ContributionInfo; status: number }[] = [];
  for (const datanetId of datanetIds) {
    const statuses = new Map<bigint, number>();
    const infos: ContributionInfo[] = [];
    for (const [fromBlock, toBlock] of blockRanges(chain.startBlock, atBlock)) {
      const registered = await chain.publicClient.getContractEvents({
        address: chain.contracts.datanets.address,
        abi: datanetRegistryAbi,
        eventName: "ContributionRegistered",
        args: { datanetId },
        fromBlock,
        toBlock,
        strict: true,
      });
      for (const e of registered) {
        infos.push({
          id: e.args.contributionId,
          datanetId,
          contributor: e.args.contributor,
          contentHash: e.args.contentHash,
          contentId: e.args.contentId,
          metadataURI: e.args.metadataURI,
          blockNumber: e.blockNumber,
          transactionHash: e.transactionHash,
        });
        statuses.set(e.args.contributionId, e.args.status);
      }
      // Logs come in chain order, so the last change per contribution wins.
      const changed = await chain.publicClient.getContractEvents({
        address: chain.contracts.datanets.address,
        abi: datanetRegistryAbi,
        eventName: "ContributionStatusChanged",
        args: { datanetId },
        fromBlock,
        toBlock,
        strict: true,
      });
      for (const e of changed) statuses.set(e.args.contributionId, e.args.status);
    }
    for (const info of infos) out.push({ info, status: statuses.get(info.id) ?? ContributionStatus.None });
  }
  return out;
}

/** The contributions a job trains on, in id order, or a JobFailure saying why there are none. */
export async function trainingContributions(
  chain: Chain,
  datanetIds: readonly bigint[],
  snapshotBlock: bigint,
): Promise<ContributionInfo[]> {
  const atSnapshot = await contributionsAt(chain, datanetIds, snapshotBlock);
  const accepted = atSnapshot.filter((c) => c.status === ContributionStatus.Accepted).map((c) => c.info);
  const latest = await chain.publicClient.getBlockNumber();
  const nowStatus = new Map((await contributionsAt(chain, datanetIds, latest)).map((c) => [c.info.id, c.status]));
  const usable = accepted.filter((c) => nowStatus.get(c.id) !== ContributionStatus.Withdrawn).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (usable.length === 0) {
    const withdrawn = accepted.length - usable.length;
    throw new JobFailure(
      "NO_DATA",
      `No accepted contributions to train on in Datanet${datanetIds.length > 1 ? "s" : ""} ${datanetIds.join(", ")} at block ${snapshotBlock}` +
        (withdrawn ? ` (${withdrawn} withdrawn since)` : "") +
        ".",
    );
  }
  return usable;
}

/** Fails unless `builder` held train access to every Datanet at the snapshot and still does. */
export async function checkTrainAccess(
  chain: Chain,
  builder: Address,
  datanetIds: readonly bigint[],
  snapshotBlock: bigint,
): Promise<void> {
  for (const datanetId of datanetIds) {
    const at = (blockNumber?: bigint) =>
      chain.publicClient.readContract({
        address: chain.contracts.datanets.address,
        abi: datanetRegistryAbi,
        functionName: "hasAccess",
        args: [datanetId, builder, Scope.Train],
        blockNumber,
      });
    if (!(await at(snapshotBlock))) {
      throw new JobFailure(
        "NO_ACCESS",
        `The builder ${builder} had no train access to Datanet ${datanetId} at snapshot block ${snapshotBlock}.`,
      );
    }
    if (!(await at())) {
      throw new JobFailure(
        "ACCESS_REVOKED",
        `The builder's train access to Datanet ${datanetId} was revoked or expired before training started.`,
      );
    }
  }
}
