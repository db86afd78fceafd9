// A job as the chain created it (its JobCreated event) and its training spec, fetched from the
// content store and checked against the spec hash recorded on chain.
import type { Address, Hex } from "viem";
import { describeError, parseTrainingSpec, trainingJobsAbi, type TrainingSpec } from "@modelfactory/sdk";
import type { ContentStore } from "@modelfactory/sdk/node";
import type { Chain } from "./chain.ts";
import { getBytes, sha256Hex } from "./content.ts";
import { JobFailure } from "./errors.ts";

/** What `JobCreated` recorded for a job. */
export type JobRecord = { jobId: bigint; builder: Address; datanetIds: bigint[]; specURI: string; specHash: Hex; snapshotBlock: bigint };

/** Reads a job's creation event. */
export async function readJobRecord(chain: Chain, jobId: bigint): Promise<JobRecord> {
  const [event] = await chain.publicClient.getContractEvents({
    address: chain.contracts.jobs.address,
    abi: trainingJobsAbi,
    eventName: "JobCreated",
    args: { jobId },
    fromBlock: chain.startBlock,
    strict: true,
  });
  if (!event) throw new JobFailure("JOB_UNKNOWN", `Job ${jobId} has no JobCreated event on this chain.`);
  const a = event.args;
  return {
    jobId,
    builder: a.builder,
    datanetIds: [...a.datanetIds],
    specURI: a.specURI,
    specHash: a.specHash,
    snapshotBlock: a.snapshotBlock,
  };
}

/** Fetches the spec, checks it against the on-chain sha256 and validates it. */
export async function fetchSpec(store: ContentStore, record: JobRecord): Promise<TrainingSpec> {
  let bytes: Uint8Array;
  try {
    bytes = await getBytes(store, record.specURI, 1024 * 1024);
  } catch (cause) {
    throw new JobFailure(
      "SPEC_UNAVAILABLE",
      `The spec ${record.specURI} could not be read from the content store: ${describeError(cause)}`,
      { cause },
    );
  }
  if (sha256Hex(bytes) !== record.specHash.toLowerCase()) {
    throw new JobFailure("SPEC_HASH_MISMATCH", `The spec at ${record.specURI} does not match the spec hash recorded on chain.`);
  }
  let spec: TrainingSpec;
  try {
    spec = parseTrainingSpec(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (cause) {
    throw new JobFailure("SPEC_INVALID", describeError(cause), { cause });
  }
  if (spec.datanetIds.join(",") !== record.datanetIds.join(",")) {
    throw new JobFailure(
      "SPEC_INVALID",
      `The spec lists Datanets ${spec.datanetIds.join(", ")} but the job was created for ${record.datanetIds.join(", ")}.`,
    );
  }
  return spec;
}
