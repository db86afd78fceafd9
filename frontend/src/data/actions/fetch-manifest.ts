// A model's training manifest document: from the content store at the model's on-chain
// manifestURI (no trainer node needed), else from the trainer node that ran the job. Either way
// it is parsed with the SDK, which refuses a document whose entries do not give its stated root;
// the caller compares that root with the chain's.
import { parseManifestDocument, type TrainingManifestDocument } from "@modelfactory/sdk";
import type { AppConfig } from "../../config/app-config.ts";
import { catJson } from "../../lib/content-api.ts";
import { trainerApi } from "../../lib/trainer-api.ts";

export async function fetchManifest(
  config: AppConfig,
  jobId: string,
  nodeUrl: string | null,
  manifestURI: string | null,
): Promise<TrainingManifestDocument> {
  if (manifestURI) return parseManifestDocument(await catJson<unknown>(config.contentApiUrl, manifestURI));
  if (!nodeUrl) throw new Error(`No manifest URI is on chain for job ${jobId} and no trainer node is known for it.`);
  return parseManifestDocument(await trainerApi.manifest(nodeUrl, jobId));
}
