// One Datanet with its approvers, top contributors and the models trained on it.
import type { AppConfig } from "../../config/app-config.ts";
import { DATANET_FIELDS } from "../fields.ts";
import type { Datanet, DatanetEntity } from "../types.ts";
import { fetchDatanetMetadata } from "./fetch-datanet-metadata.ts";
import { indexerQuery } from "./indexer.ts";

export type DatanetDetail = Datanet & {
  approvers: { approver: { id: string }; addedAt: string }[];
  contributors: { contributor: { id: string }; contributionCount: number; acceptedContributionCount: number; citationCount: string }[];
  models: { id: string; createdAt: string; citationCount: string; builder: { id: string } }[];
};

export async function fetchDatanet(config: AppConfig, id: string): Promise<DatanetDetail | null> {
  const data = await indexerQuery<{ datanet: (DatanetEntity & Omit<DatanetDetail, keyof Datanet>) | null }>(
    config,
    `query Datanet($id: ID!) { datanet(id: $id) { ${DATANET_FIELDS}
      approvers(where: { active: true }) { approver { id } addedAt }
      contributors(first: 50, orderBy: contributionCount, orderDirection: desc) { contributor { id } contributionCount acceptedContributionCount citationCount }
      models(first: 50, orderBy: createdAt, orderDirection: desc) { id createdAt citationCount builder { id } } } }`,
    { id },
  );
  if (!data.datanet) return null;
  return { ...data.datanet, metadata: await fetchDatanetMetadata(config, data.datanet.metadataURI) };
}
