// The data insights of every model trained on a Datanet, kept to that Datanet's contributions:
// what its approvers see of how their contributions trained. Read from each model's public
// evaluation report (metricsURI); a report that cannot be read is named, not skipped silently.
import { describeError, type DataInsights, type EvaluationReport } from "@modelfactory/sdk";
import type { AppConfig } from "../../config/app-config.ts";
import { catJson } from "../../lib/content-api.ts";
import { fetchModels } from "./fetch-models.ts";

export type ModelInsights = {
  modelId: string;
  jobId: string;
  /** null for a report written before data insights existed. */
  insights: DataInsights | null;
  /** Why the report could not be read. */
  error?: string;
};

export async function fetchDatanetInsights(config: AppConfig, datanetId: string): Promise<ModelInsights[]> {
  const models = await fetchModels(config, { datanets_contains: [datanetId] });
  return Promise.all(
    models.map(async (m): Promise<ModelInsights> => {
      try {
        const report = await catJson<EvaluationReport>(config.contentApiUrl, m.metricsURI);
        const insights = report.dataInsights ?? null;
        return {
          modelId: m.id,
          jobId: m.job.id,
          insights: insights && { ...insights, contributions: insights.contributions.filter((c) => c.datanetId === datanetId) },
        };
      } catch (error) {
        return { modelId: m.id, jobId: m.job.id, insights: null, error: describeError(error) };
      }
    }),
  );
}
