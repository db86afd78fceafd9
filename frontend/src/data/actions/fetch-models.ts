// Models (completed jobs) from the index.
import type { AppConfig } from "../../config/app-config.ts";
import { MODEL_FIELDS } from "../fields.ts";
import type { ModelEntity } from "../types.ts";
import { indexerQuery } from "./indexer.ts";

export async function fetchModels(config: AppConfig, where: Record<string, unknown> = {}): Promise<ModelEntity[]> {
  const data = await indexerQuery<{ models: ModelEntity[] }>(
    config,
    `query Models($where: Model_filter!) { models(first: 200, orderBy: createdAt, orderDirection: desc, where: $where) { ${MODEL_FIELDS} } }`,
    { where },
  );
  return data.models;
}

export async function fetchModel(config: AppConfig, id: string): Promise<ModelEntity | null> {
  const data = await indexerQuery<{ model: ModelEntity | null }>(config, `query Model($id: ID!) { model(id: $id) { ${MODEL_FIELDS} } }`, {
    id,
  });
  return data.model;
}
