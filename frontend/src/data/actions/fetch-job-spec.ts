// A job's training spec from the content store, checked by the SDK's parser (a document that is
// not a valid spec is an error here, not a half-drawn comparison).
import { parseTrainingSpec, type TrainingSpec } from "@modelfactory/sdk";
import type { AppConfig } from "../../config/app-config.ts";
import { catJson } from "../../lib/content-api.ts";

export async function fetchJobSpec(config: AppConfig, specURI: string): Promise<TrainingSpec> {
  return parseTrainingSpec(await catJson<unknown>(config.contentApiUrl, specURI));
}
