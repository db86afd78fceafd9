// What the key service reads from the chain: contribution records (from their registration
// events, cached: they never change), statuses, jobs and the Datanets they are over, models,
// access, trainers and curators, each at a given block so one request sees one moment.
import { readFile } from "node:fs/promises";
import { BaseError, ContractFunctionRevertedError, createPublicClient, http, type Address, type Hex, type PublicClient } from "viem";
import {
  datanetKeysAbi,
  datanetRegistryAbi,
  parseDeployment,
  trainerRegistryAbi,
  trainingJobsAbi,
  type Deployment,
} from "@modelfactory/sdk";
import { ConfigError, KeyServiceDaemonError } from "./errors.ts";

/** A contribution as registered: what its event says. */
export type ContributionRecord = { id: bigint; datanetId: bigint; contributor: Address; contentHash: Hex; contentId: string };
/** What a model's ModelRegistered event says: where its adapter and report are. */
export type ModelRecord = {
  id: bigint;
  jobId: bigint;
  builder: Address;
  trainer: Address;
  adapterCID: string;
  adapterHash: Hex;
  metricsURI: string;
};
export type Job = {
  id: bigint;
  builder: Address;
  state: number;
  snapshotBlock: bigint;
  trainer: Address;
  leaseExpiresAt: bigint;
  datanetIds: bigint[];
};

const LOG_RANGE = 10_000n;

export type ChainReader = Awaited<ReturnType<typeof connectChain>>;

/** The custom error a call reverted with, if it did. */
function revertName(error: unknown): string | undefined {
  const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
}

/** Connects to the chain and checks the deployment (with DatanetKeys) is on it. */
export async function connectChain(config: { rpcUrl: string; deploymentFile: string }) {
  let deployment: Deployment;
  try {
    deployment = parseDeployment(JSON.parse(await readFile(config.deploymentFile, "utf8")), config.deploymentFile);
  } catch (cause) {
    throw new ConfigError(`Cannot read the deployment file ${config.deploymentFile} (MF_KS_DEPLOYMENT).`, { cause });
  }
  const keysContract = deployment.contracts.DatanetKeys;
  if (!keysContract) throw new ConfigError(`${config.deploymentFile} has no DatanetKeys contract: redeploy (npm run deploy).`);
  // JSON-RPC batching: the reads of one request travel together.
  const client: PublicClient = createPublicClient({
    transport: http(config.rpcUrl, { batch: { wait: 0 }, retryCount: 2, timeout: 20_000 }),
  });
  const chainId = await client.getChainId().catch((cause: unknown) => {
    throw new ConfigError(`Cannot reach the chain at ${config.rpcUrl} (MF_KS_RPC_URL).`, { cause });
  });
  if (chainId !== deployment.chainId)
    throw new ConfigError(`${config.deploymentFile} is for chain ${deployment.chainId}, but ${config.rpcUrl} is chain ${chainId}.`);
  const registry = deployment.contracts.DatanetRegistry.address;
  const trainers = deployment.contracts.TrainerRegistry.address;
  const jobs = deployment.contracts.TrainingJobs.address;
  const startBlock = BigInt(deployment.contracts.DatanetRegistry.blockNumber);
  const records = new Map<bigint, ContributionRecord>();
  const jobDatanets = new Map<bigint, bigint[]>();
  const modelRecords = new Map<bigint, ModelRecord>();

  async function logsInRanges<T>(toBlock: bigint, read: (from: bigint, to: bigint) => Promise<T[]>): Promise<T[]> {
    const out: T[] = [];
    for (let from = startBlock; from <= toBlock; from += LOG_RANGE)
      out.push(...(await read(from, from + LOG_RANGE - 1n < toBlock ? from + LOG_RANGE - 1n : toBlock)));
    return out;
  }

  /** Registration records of `ids` (missing ids are absent from the map). */
  async function contributions(ids: readonly bigint[], atBlock: bigint): Promise<Map<bigint, ContributionRecord>> {
    const missing = ids.filter((id) => !records.has(id));
    if (missing.length) {
      const logs = await logsInRanges(atBlock, (fromBlock, toBlock) =>
        client.getContractEvents({
          address: registry,
          abi: datanetRegistryAbi,
          eventName: "ContributionRegistered",
          args: { contributionId: missing },
          fromBlock,
          toBlock,
          strict: true,
        }),
      );
      for (const e of logs) {
        const a = e.args;
        records.set(a.contributionId, {
          id: a.contributionId,
          datanetId: a.datanetId,
          contributor: a.contributor,
          contentHash: a.contentHash,
          contentId: a.contentId,
        });
      }
    }
    return new Map(ids.flatMap((id) => (records.has(id) ? [[id, records.get(id)!] as const] : [])));
  }

  const status = (id: bigint, blockNumber: bigint) =>
    client.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "contributionStatus", args: [id], blockNumber });
  /** Statuses of `ids` at one block, in one JSON-RPC batch. */
  const statuses = (ids: readonly bigint[], blockNumber: bigint) => Promise.all(ids.map((id) => status(id, blockNumber)));

  /** A job with the Datanets of its JobCreated event, or undefined for an unknown id. */
  async function job(id: bigint, blockNumber: bigint): Promise<Job | undefined> {
    // The record and (once) the creation event travel together.
    const [record, datanetIds] = await Promise.all([
      client
        .readContract({ address: jobs, abi: trainingJobsAbi, functionName: "getJob", args: [id], blockNumber })
        .catch((error: unknown) => {
          if (revertName(error) === "JobNotFound") return undefined;
          throw error;
        }),
      jobDatanets.get(id) ??
        logsInRanges(blockNumber, (fromBlock, toBlock) =>
          client.getContractEvents({
            address: jobs,
            abi: trainingJobsAbi,
            eventName: "JobCreated",
            args: { jobId: id },
            fromBlock,
            toBlock,
            strict: true,
          }),
        ).then((logs) => logs[0] && [...logs[0].args.datanetIds]),
    ]);
    if (!record) return undefined;
    if (!datanetIds)
      throw new KeyServiceDaemonError(`Job ${id} exists but its JobCreated event was not found.`, { code: "CHAIN_INCONSISTENT" });
    jobDatanets.set(id, datanetIds);
    const [builder, state, snapshotBlock, trainer, leaseExpiresAt] = record;
    return { id, builder, state, snapshotBlock: BigInt(snapshotBlock), trainer, leaseExpiresAt: BigInt(leaseExpiresAt), datanetIds };
  }

  /** A model's job id, trainer and builder, or undefined for an unknown id. */
  async function model(id: bigint, blockNumber: bigint): Promise<{ jobId: bigint; trainer: Address; builder: Address } | undefined> {
    const exists = await client.readContract({ address: jobs, abi: trainingJobsAbi, functionName: "modelExists", args: [id], blockNumber });
    if (!exists) return undefined;
    const [[jobId], trainer, builder] = await Promise.all([
      client.readContract({ address: jobs, abi: trainingJobsAbi, functionName: "getModel", args: [id], blockNumber }),
      client.readContract({ address: jobs, abi: trainingJobsAbi, functionName: "modelTrainer", args: [id], blockNumber }),
      client.readContract({ address: jobs, abi: trainingJobsAbi, functionName: "modelBuilder", args: [id], blockNumber }),
    ]);
    return { jobId, trainer, builder };
  }

  /** A model's registration event (immutable, cached), or undefined when none was emitted up to `blockNumber`. */
  async function modelRecord(id: bigint, blockNumber: bigint): Promise<ModelRecord | undefined> {
    const cached = modelRecords.get(id);
    if (cached) return cached;
    const logs = await logsInRanges(blockNumber, (fromBlock, toBlock) =>
      client.getContractEvents({
        address: jobs,
        abi: trainingJobsAbi,
        eventName: "ModelRegistered",
        args: { modelId: id },
        fromBlock,
        toBlock,
        strict: true,
      }),
    );
    const a = logs[0]?.args;
    if (!a) return undefined;
    const record: ModelRecord = {
      id,
      jobId: a.jobId,
      builder: a.builder,
      trainer: a.trainer,
      adapterCID: a.adapterCID,
      adapterHash: a.adapterHash,
      metricsURI: a.metricsURI,
    };
    modelRecords.set(id, record);
    return record;
  }

  return {
    client,
    chainId,
    deployment,
    contributions,
    status,
    statuses,
    job,
    model,
    modelRecord,
    latestBlock: async () => {
      const b = await client.getBlock();
      return { number: b.number, timestamp: b.timestamp };
    },
    hasAccess: (datanetId: bigint, account: Address, scope: number, blockNumber: bigint) =>
      client.readContract({
        address: registry,
        abi: datanetRegistryAbi,
        functionName: "hasAccess",
        args: [datanetId, account, scope],
        blockNumber,
      }),
    isApprover: (datanetId: bigint, account: Address, blockNumber: bigint) =>
      client.readContract({
        address: registry,
        abi: datanetRegistryAbi,
        functionName: "isApprover",
        args: [datanetId, account],
        blockNumber,
      }),
    datanetOwner: (datanetId: bigint, blockNumber: bigint) =>
      client.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "datanetOwner", args: [datanetId], blockNumber }),
    trainerState: async (account: Address, blockNumber: bigint) => {
      const [admitted, active] = await Promise.all([
        client.readContract({ address: trainers, abi: trainerRegistryAbi, functionName: "isAdmitted", args: [account], blockNumber }),
        client.readContract({ address: trainers, abi: trainerRegistryAbi, functionName: "isActiveTrainer", args: [account], blockNumber }),
      ]);
      return { admitted, active };
    },
    /** The key the chain binds to the Datanet now. */
    encryptionKey: async (datanetId: bigint) => {
      const [publicKey, version, keyServiceURI] = await client.readContract({
        address: keysContract.address,
        abi: datanetKeysAbi,
        functionName: "encryptionKey",
        args: [datanetId],
      });
      return { publicKey, version: Number(version), keyServiceURI };
    },
  };
}
