// Training jobs from creation to completion or failure, and the models completed jobs register.
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  JobCancelled,
  JobClaimed,
  JobCompleted,
  JobCreated,
  JobFailed,
  JobLeaseRenewed,
  JobReleased,
  LeaseDurationUpdated,
  ManifestChallenged,
  MaxClaimLifeUpdated,
  ModelRegistered,
} from "../../generated/TrainingJobs/TrainingJobs";
import { Account, Datanet, JobChange, Model, TrainerNode, TrainingJob } from "../../generated/schema";
import { getOrCreateAccount, getProtocol, logId, ZERO } from "./shared";

function loadJob(jobId: BigInt, event: ethereum.Event): TrainingJob {
  const job = TrainingJob.load(jobId.toString())!;
  job.updatedAt = event.block.timestamp;
  return job;
}

function recordChange(job: TrainingJob, kind: string, trainer: Bytes | null, event: ethereum.Event): JobChange {
  const change = new JobChange(logId(event));
  change.job = job.id;
  change.kind = kind;
  change.trainer = trainer;
  change.blockNumber = event.block.number;
  change.timestamp = event.block.timestamp;
  change.transactionHash = event.transaction.hash;
  return change;
}

export function handleJobCreated(event: JobCreated): void {
  const builder = getOrCreateAccount(event.params.builder, event);
  const ids = event.params.datanetIds;
  const datanets: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const datanet = Datanet.load(ids[i].toString())!;
    datanet.jobCount += 1;
    datanet.save();
    datanets.push(datanet.id);
  }

  const job = new TrainingJob(event.params.jobId.toString());
  job.jobId = event.params.jobId;
  job.builder = builder.id;
  job.datanets = datanets;
  job.specURI = event.params.specURI;
  job.specHash = event.params.specHash;
  job.snapshotBlock = event.params.snapshotBlock;
  job.state = "Open";
  job.claimCount = 0;
  job.createdAt = event.block.timestamp;
  job.createdAtBlock = event.block.number;
  job.createdTx = event.transaction.hash;
  job.updatedAt = event.block.timestamp;
  job.save();

  builder.jobCount += 1;
  builder.save();
  const protocol = getProtocol();
  protocol.jobCount += 1;
  protocol.save();
  recordChange(job, "Created", null, event).save();
}

export function handleJobCancelled(event: JobCancelled): void {
  const job = loadJob(event.params.jobId, event);
  // A job claimed past its first lease can be cancelled too; `trainer` keeps the last holder.
  job.state = "Cancelled";
  job.leaseExpiresAt = null;
  job.save();
  recordChange(job, "Cancelled", null, event).save();
}

export function handleJobClaimed(event: JobClaimed): void {
  const job = loadJob(event.params.jobId, event);
  const trainer = TrainerNode.load(event.params.trainer)!;
  job.state = "Claimed";
  job.trainer = trainer.id;
  job.leaseExpiresAt = event.params.leaseExpiresAt;
  job.claimCount += 1;
  job.save();
  trainer.claimCount += 1;
  trainer.save();
  const change = recordChange(job, "Claimed", trainer.id, event);
  change.leaseExpiresAt = event.params.leaseExpiresAt;
  change.save();
}

export function handleJobLeaseRenewed(event: JobLeaseRenewed): void {
  const job = loadJob(event.params.jobId, event);
  job.leaseExpiresAt = event.params.leaseExpiresAt;
  job.save();
  const change = recordChange(job, "LeaseRenewed", job.trainer, event);
  change.leaseExpiresAt = event.params.leaseExpiresAt;
  change.save();
}

export function handleJobReleased(event: JobReleased): void {
  const job = loadJob(event.params.jobId, event);
  job.state = "Open";
  job.trainer = null;
  job.leaseExpiresAt = null;
  job.save();
  recordChange(job, event.params.stale ? "StaleReleased" : "Released", event.params.trainer, event).save();
}

export function handleJobCompleted(event: JobCompleted): void {
  const job = loadJob(event.params.jobId, event);
  job.state = "Completed";
  job.trainer = event.params.trainer;
  // The model itself is created by ModelRegistered, emitted next in the same transaction.
  job.model = event.params.modelId.toString();
  job.save();
  const trainer = TrainerNode.load(event.params.trainer)!;
  trainer.completedJobCount += 1;
  trainer.save();
  recordChange(job, "Completed", trainer.id, event).save();
}

export function handleJobFailed(event: JobFailed): void {
  const job = loadJob(event.params.jobId, event);
  job.state = "Failed";
  job.trainer = event.params.trainer;
  job.failureReason = event.params.reason;
  job.save();
  const trainer = TrainerNode.load(event.params.trainer)!;
  trainer.failedJobCount += 1;
  trainer.save();
  const change = recordChange(job, "Failed", trainer.id, event);
  change.reason = event.params.reason;
  change.save();
}

export function handleModelRegistered(event: ModelRegistered): void {
  const job = TrainingJob.load(event.params.jobId.toString())!;
  const model = new Model(event.params.modelId.toString());
  model.modelId = event.params.modelId;
  model.job = job.id;
  model.builder = event.params.builder;
  model.trainer = event.params.trainer;
  model.datanets = job.datanets;
  model.adapterCID = event.params.adapterCID;
  model.adapterHash = event.params.adapterHash;
  model.metricsURI = event.params.metricsURI;
  model.manifestRoot = event.params.manifestRoot;
  model.manifestURI = event.params.manifestURI;
  model.manifestChallenged = false;
  model.manifestChallengeCount = 0;
  model.attributionBatchCount = 0;
  model.receiptCount = ZERO;
  model.citationCount = ZERO;
  model.createdAt = event.block.timestamp;
  model.createdAtBlock = event.block.number;
  model.createdTx = event.transaction.hash;
  model.save();

  const builder = Account.load(event.params.builder)!;
  builder.modelCount += 1;
  builder.save();
  const protocol = getProtocol();
  protocol.modelCount += 1;
  protocol.save();
}

export function handleLeaseDurationUpdated(event: LeaseDurationUpdated): void {
  const protocol = getProtocol();
  protocol.leaseDuration = event.params.duration;
  protocol.save();
}

export function handleMaxClaimLifeUpdated(event: MaxClaimLifeUpdated): void {
  const protocol = getProtocol();
  protocol.maxClaimLife = event.params.life;
  protocol.save();
}

export function handleManifestChallenged(event: ManifestChallenged): void {
  const model = Model.load(event.params.modelId.toString())!;
  model.manifestChallenged = true;
  model.manifestChallengeCount += 1;
  model.save();
}
