// A job's evaluation report: from its trainer node, else from the model's metricsURI.
import type { EvaluationReport } from "@modelfactory/sdk";
import type { AppConfig } from "../../config/app-config.ts";
import { catJson } from "../../lib/content-api.ts";
import { trainerApi } from "../../lib/trainer-api.ts";

export async function fetchEvaluation(
  config: AppConfig,
  jobId: string,
  nodeUrl: string | null,
  metricsURI: string | null,
): Promise<EvaluationReport> {
  if (metricsURI) {
    try {
      return await catJson<EvaluationReport>(config.contentApiUrl, metricsURI);
    } catch (error) {
      if (!nodeUrl) throw error;
    }
  }
  if (!nodeUrl) throw new Error("No trainer node or metrics document is known for this job yet.");
  return trainerApi.metrics(nodeUrl, jobId);
}
