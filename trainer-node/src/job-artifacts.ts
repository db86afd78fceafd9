// What a finished job publishes before it completes on chain: the adapter archive (sealed for the
// job's keys when its data is permissioned, sealed-artifacts.ts), the evaluation report (its
// sample answers sealed likewise), the training influence index (influence-index.ts) and the
// training manifest whose root the chain records. Copies stay in the job's folder.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { buildManifestDocument, type EvaluationReport, type TrainingSpec } from "@modelfactory/sdk";
import type { ContentStore } from "@modelfactory/sdk/node";
import { tarDirectory } from "./archive.ts";
import { putBytes, putJson, sha256Hex } from "./content.ts";
import type { Continuation } from "./continuation.ts";
import { publishInfluenceIndex } from "./influence-index.ts";
import type { JobRecord } from "./job-record.ts";
import { putSealed, sealReportSamples, type ArtifactSealing } from "./sealed-artifacts.ts";
import type { ContributionInfo } from "./snapshot.ts";
import type { InfluenceIndexResult } from "./worker-results.ts";

export type JobArtifacts = {
  jobId: bigint;
  record: JobRecord;
  spec: TrainingSpec;
  contributions: readonly ContributionInfo[];
  continuation: Continuation | null;
  /** Who the artifacts are sealed for; null when the job's data is public. */
  seal: ArtifactSealing | null;
  adapterDir: string;
  report: EvaluationReport;
  influence: InfluenceIndexResult | undefined;
};

/** Stores a job's artifacts and returns what completeJob posts. */
export async function storeJobArtifacts(
  ctx: { store: ContentStore; dir: string; log: (message: string) => void },
  a: JobArtifacts,
): Promise<{ adapterCID: string; adapterHash: `0x${string}`; metricsURI: string; root: `0x${string}`; manifestURI: string }> {
  let report = a.report;
  const tar = await tarDirectory(a.adapterDir);
  // The on-chain hash is the plaintext archive's either way, so a key holder verifies what they open.
  const adapterHash = sha256Hex(tar);
  let adapterCID: string;
  if (a.seal) {
    // Trained on permissioned data: the adapter can reproduce it, and the samples quote it. Both
    // are sealed; the public report keeps its numbers and names the sealed samples' CID.
    const { recipients } = a.seal;
    adapterCID = (await putSealed(ctx.store, tar, recipients)).cid;
    report = await sealReportSamples(ctx.store, report, recipients, a.seal.permissioned);
    ctx.log(
      `adapter and sample answers sealed for ${recipients.length} key(s): the job's Datanets'${a.spec.builderEncryptionKey ? " and the builder's" : ""}`,
    );
  } else {
    adapterCID = (await putBytes(ctx.store, tar)).slice("ipfs://".length);
  }
  const metricsURI = await putJson(ctx.store, report);
  // The index follows the adapter's rule: sealed for the same keys when the adapter is.
  const influenceIndex = a.influence ? await publishInfluenceIndex(ctx.store, a.influence.path, a.influence, a.seal) : undefined;
  if (influenceIndex)
    ctx.log(
      `training influence index ${influenceIndex.sealed ? "sealed like the adapter and " : ""}stored as ${influenceIndex.cid}; its sha256 is a leaf of the manifest`,
    );
  const manifestDoc = buildManifestDocument({
    jobId: a.jobId,
    specURI: a.record.specURI,
    specHash: a.record.specHash,
    contributions: a.contributions,
    ...(a.continuation ? { continuedFrom: { jobId: BigInt(a.continuation.jobId), step: a.continuation.step } } : {}),
    ...(influenceIndex ? { influenceIndex } : {}),
  });
  const root = manifestDoc.root;
  await writeFile(path.join(ctx.dir, "manifest.json"), JSON.stringify(manifestDoc, null, 2));
  await writeFile(path.join(ctx.dir, "metrics.json"), JSON.stringify(report, null, 2));
  await writeFile(path.join(ctx.dir, "adapter.tar"), tar);
  const manifestURI = await putJson(ctx.store, manifestDoc);
  return { adapterCID, adapterHash, metricsURI, root, manifestURI };
}
