// Training jobs from the index (a builder's, or all), newest first.
import type { AppConfig } from "../../config/app-config.ts";
import { JOB_FIELDS } from "../fields.ts";
import type { TrainingJobEntity } from "../types.ts";
import { indexerQuery } from "./indexer.ts";

export async function fetchJobs(config: AppConfig, builder?: string): Promise<TrainingJobEntity[]> {
  const where = builder ? { builder: builder.toLowerCase() } : {};
  const data = await indexerQuery<{ trainingJobs: TrainingJobEntity[] }>(
    config,
    `query Jobs($where: TrainingJob_filter!) { trainingJobs(first: 200, orderBy: createdAt, orderDirection: desc, where: $where) { ${JOB_FIELDS} } }`,
    { where },
  );
  return data.trainingJobs;
}

export async function fetchJob(config: AppConfig, id: string): Promise<TrainingJobEntity | null> {
  const data = await indexerQuery<{ trainingJob: TrainingJobEntity | null }>(
    config,
    `query Job($id: ID!) { trainingJob(id: $id) { ${JOB_FIELDS} } }`,
    { id },
  );
  return data.trainingJob;
}
