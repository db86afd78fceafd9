// The conditions under which a contribution's data key is released, read from the chain at
// one block. Each failed condition is a Refusal whose message says which, in words. A request
// is all or nothing: one contribution that may not be released refuses the whole request.
import type { Address } from "viem";
import {
  ContributionStatus,
  enumName,
  JobState,
  modelArtifactRefusal,
  Scope,
  type KeyReleaseRequest,
  type ModelKeyRequest,
} from "@modelfactory/sdk";
import type { ChainReader, ContributionRecord, ModelRecord } from "./chain.ts";
import { Refusal } from "./errors.ts";

export type Moment = { number: bigint; timestamp: bigint };

const statusName = (s: number) => String(enumName(ContributionStatus, s) ?? s).toLowerCase();

/** The request's contributions, each checked to be registered and of `datanetId`. */
function ofDatanet(request: KeyReleaseRequest, records: Map<bigint, ContributionRecord>, datanetId: bigint): ContributionRecord[] {
  return request.contributionIds.map((id) => {
    const r = records.get(id);
    if (!r) throw new Refusal("CONTRIBUTION_NOT_FOUND", `Contribution ${id} is not registered on chain.`);
    if (r.datanetId !== datanetId)
      throw new Refusal(
        "CONTRIBUTION_OF_OTHER_DATANET",
        `Contribution ${id} belongs to Datanet ${r.datanetId}; this key service holds the key of Datanet ${datanetId}.`,
      );
    return r;
  });
}

function requireStatus(
  records: ContributionRecord[],
  statuses: readonly number[],
  ok: (s: number) => boolean,
  refuse: (r: ContributionRecord, s: number) => Refusal,
): void {
  records.forEach((r, i) => {
    if (!ok(statuses[i]!)) throw refuse(r, statuses[i]!);
  });
}

// Reads run in as few round trips as the conditions allow (independent reads together, in one
// JSON-RPC batch); the conditions are then checked in the documented order, so the reason given
// is the first that fails whatever finished first.

/** Purpose "train": an active trainer holding the claim of a job over this Datanet, whose builder had and has train access, for contributions accepted at the snapshot and not withdrawn since. */
async function train(
  chain: ChainReader,
  requester: Address,
  request: KeyReleaseRequest,
  datanetId: bigint,
  at: Moment,
): Promise<ContributionRecord[]> {
  const ids = request.contributionIds;
  const [trainer, job, registered] = await Promise.all([
    chain.trainerState(requester, at.number),
    chain.job(request.jobId!, at.number),
    chain.contributions(ids, at.number),
  ]);
  if (!trainer.admitted) throw new Refusal("TRAINER_NOT_ADMITTED", `${requester} is not an admitted trainer node.`);
  if (!trainer.active) throw new Refusal("TRAINER_NOT_ACTIVE", `Trainer ${requester} is admitted but switched off.`);
  if (!job) throw new Refusal("JOB_NOT_FOUND", `Job ${request.jobId} does not exist.`);
  if (!job.datanetIds.includes(datanetId))
    throw new Refusal(
      "JOB_OTHER_DATANETS",
      `Job ${job.id} is over Datanet${job.datanetIds.length > 1 ? "s" : ""} ${job.datanetIds.join(", ")}, not Datanet ${datanetId}.`,
    );
  if (job.state !== JobState.Claimed || job.trainer.toLowerCase() !== requester.toLowerCase()) {
    throw new Refusal(
      "NO_CLAIM",
      `Trainer ${requester} holds no claim on job ${job.id} over Datanet ${datanetId} (the job is ${String(enumName(JobState, job.state)).toLowerCase()}${job.state === JobState.Claimed ? ` by ${job.trainer}` : ""}).`,
    );
  }
  if (job.leaseExpiresAt <= at.timestamp)
    throw new Refusal(
      "CLAIM_LAPSED",
      `Trainer ${requester}'s claim on job ${job.id} lapsed at ${new Date(Number(job.leaseExpiresAt) * 1000).toISOString()}.`,
    );
  const [atSnapshot, now, snapshotStatuses, nowStatuses] = await Promise.all([
    chain.hasAccess(datanetId, job.builder, Scope.Train, job.snapshotBlock),
    chain.hasAccess(datanetId, job.builder, Scope.Train, at.number),
    chain.statuses(ids, job.snapshotBlock),
    chain.statuses(ids, at.number),
  ]);
  if (!atSnapshot)
    throw new Refusal(
      "BUILDER_NO_ACCESS_AT_SNAPSHOT",
      `Builder ${job.builder} had no train access to Datanet ${datanetId} at job ${job.id}'s snapshot block ${job.snapshotBlock}.`,
    );
  if (!now)
    throw new Refusal(
      "BUILDER_ACCESS_REVOKED",
      `Builder ${job.builder}'s train access to Datanet ${datanetId} was revoked or expired after job ${job.id}'s snapshot.`,
    );
  const records = ofDatanet(request, registered, datanetId);
  requireStatus(
    records,
    snapshotStatuses,
    (s) => s === ContributionStatus.Accepted,
    (r, s) =>
      new Refusal(
        "CONTRIBUTION_NOT_ACCEPTED",
        `Contribution ${r.id} was ${statusName(s)} at job ${job.id}'s snapshot block ${job.snapshotBlock}, not accepted.`,
      ),
  );
  requireStatus(
    records,
    nowStatuses,
    (s) => s !== ContributionStatus.Withdrawn,
    (r) => new Refusal("CONTRIBUTION_WITHDRAWN", `Contribution ${r.id} was withdrawn after job ${job.id}'s snapshot.`),
  );
  return records;
}

/** Purpose "retrieve": the trainer that registered a model trained on this Datanet, while its builder keeps train or retrieve access, for accepted contributions. */
async function retrieve(
  chain: ChainReader,
  requester: Address,
  request: KeyReleaseRequest,
  datanetId: bigint,
  at: Moment,
): Promise<ContributionRecord[]> {
  const ids = request.contributionIds;
  const [model, registered, statuses] = await Promise.all([
    chain.model(request.modelId!, at.number),
    chain.contributions(ids, at.number),
    chain.statuses(ids, at.number),
  ]);
  if (!model) throw new Refusal("MODEL_NOT_FOUND", `Model ${request.modelId} does not exist.`);
  if (model.trainer.toLowerCase() !== requester.toLowerCase())
    throw new Refusal("NOT_MODEL_TRAINER", `Model ${request.modelId} was registered by trainer ${model.trainer}, not ${requester}.`);
  const [job, train, retrieval] = await Promise.all([
    chain.job(model.jobId, at.number),
    chain.hasAccess(datanetId, model.builder, Scope.Train, at.number),
    chain.hasAccess(datanetId, model.builder, Scope.Retrieve, at.number),
  ]);
  if (!job!.datanetIds.includes(datanetId))
    throw new Refusal(
      "MODEL_OTHER_DATANETS",
      `Model ${request.modelId} was trained on Datanet${job!.datanetIds.length > 1 ? "s" : ""} ${job!.datanetIds.join(", ")}, not Datanet ${datanetId}.`,
    );
  if (!train && !retrieval)
    throw new Refusal(
      "BUILDER_ACCESS_REVOKED",
      `Model ${request.modelId}'s builder ${model.builder} no longer holds train or retrieve access to Datanet ${datanetId}.`,
    );
  const records = ofDatanet(request, registered, datanetId);
  requireStatus(
    records,
    statuses,
    (s) => s === ContributionStatus.Accepted,
    (r, s) =>
      new Refusal(
        s === ContributionStatus.Withdrawn ? "CONTRIBUTION_WITHDRAWN" : "CONTRIBUTION_NOT_ACCEPTED",
        `Contribution ${r.id} is ${statusName(s)}, not accepted.`,
      ),
  );
  return records;
}

/** Purpose "curate": the Datanet's owner or an approver, for any contribution not withdrawn. */
async function curate(
  chain: ChainReader,
  requester: Address,
  request: KeyReleaseRequest,
  datanetId: bigint,
  at: Moment,
): Promise<ContributionRecord[]> {
  const ids = request.contributionIds;
  const [curator, registered, statuses] = await Promise.all([
    chain.isApprover(datanetId, requester, at.number),
    chain.contributions(ids, at.number),
    chain.statuses(ids, at.number),
  ]);
  if (!curator) throw new Refusal("NOT_CURATOR", `${requester} is neither the owner nor an approver of Datanet ${datanetId}.`);
  const records = ofDatanet(request, registered, datanetId);
  requireStatus(
    records,
    statuses,
    (s) => s !== ContributionStatus.Withdrawn,
    (r) => new Refusal("CONTRIBUTION_WITHDRAWN", `Contribution ${r.id} was withdrawn by its contributor.`),
  );
  return records;
}

/** Purpose "own": the contributor, for their own contributions (any status). */
async function own(
  chain: ChainReader,
  requester: Address,
  request: KeyReleaseRequest,
  datanetId: bigint,
  at: Moment,
): Promise<ContributionRecord[]> {
  const records = ofDatanet(request, await chain.contributions(request.contributionIds, at.number), datanetId);
  for (const r of records) {
    if (r.contributor.toLowerCase() !== requester.toLowerCase())
      throw new Refusal("NOT_CONTRIBUTOR", `Contribution ${r.id} was made by ${r.contributor}, not ${requester}.`);
  }
  return records;
}

const POLICIES = { train, retrieve, curate, own } as const;

/** The contributions whose keys `requester` may receive now, or a Refusal naming the failed condition. */
export function checkRelease(
  chain: ChainReader,
  requester: Address,
  request: KeyReleaseRequest,
  datanetId: bigint,
  at: Moment,
): Promise<ContributionRecord[]> {
  return POLICIES[request.purpose](chain, requester, request, datanetId, at);
}

/**
 * Purpose "model": a sealed artifact of a model trained on this Datanet, for the model's builder
 * or whoever holds train or evaluate access now on every Datanet of the model's job (the SDK's
 * `modelArtifactRefusal`, which the trainer node's download route applies too).
 */
export async function checkModelRelease(
  chain: ChainReader,
  requester: Address,
  request: ModelKeyRequest,
  datanetId: bigint,
  at: Moment,
): Promise<ModelRecord> {
  const model = await chain.model(request.modelId, at.number);
  if (!model) throw new Refusal("MODEL_NOT_FOUND", `Model ${request.modelId} does not exist.`);
  const [job, record] = await Promise.all([chain.job(model.jobId, at.number), chain.modelRecord(request.modelId, at.number)]);
  if (!job!.datanetIds.includes(datanetId))
    throw new Refusal(
      "MODEL_OTHER_DATANETS",
      `Model ${request.modelId} was trained on Datanet${job!.datanetIds.length > 1 ? "s" : ""} ${job!.datanetIds.join(", ")}, not Datanet ${datanetId}.`,
    );
  const access = await Promise.all(
    job!.datanetIds.map(async (d) => {
      const [train, evaluate] = await Promise.all([
        chain.hasAccess(d, requester, Scope.Train, at.number),
        chain.hasAccess(d, requester, Scope.Evaluate, at.number),
      ]);
      return train || evaluate;
    }),
  );
  const refusal = modelArtifactRefusal({
    caller: requester,
    modelId: request.modelId,
    builder: model.builder,
    datanetIds: job!.datanetIds,
    access,
  });
  if (refusal) throw new Refusal(refusal.code, refusal.message);
  if (!record) throw new Refusal("MODEL_NOT_FOUND", `Model ${request.modelId} exists but its ModelRegistered event was not found.`);
  return record;
}

/** Rotation: the Datanet's owner now. */
export async function checkRotation(chain: ChainReader, requester: Address, datanetId: bigint, at: Moment): Promise<void> {
  const owner = await chain.datanetOwner(datanetId, at.number);
  if (owner.toLowerCase() !== requester.toLowerCase())
    throw new Refusal("NOT_DATANET_OWNER", `Only Datanet ${datanetId}'s owner ${owner} may rotate its key, not ${requester}.`);
}
