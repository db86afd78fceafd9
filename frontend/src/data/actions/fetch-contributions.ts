// Contributions by Datanet, contributor or status, newest first.
import type { AppConfig } from "../../config/app-config.ts";
import { CONTRIBUTION_FIELDS } from "../fields.ts";
import type { ContributionEntity } from "../types.ts";
import { indexerQuery } from "./indexer.ts";

export type ContributionFilter = {
  datanet?: string;
  datanets?: string[];
  contributor?: string;
  status?: ContributionEntity["status"];
  ids?: string[];
};

export function contributionWhere(f: ContributionFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (f.datanet) where.datanet = f.datanet;
  if (f.datanets) where.datanet_in = f.datanets;
  if (f.contributor) where.contributor = f.contributor.toLowerCase();
  if (f.status) where.status = f.status;
  if (f.ids) where.id_in = f.ids;
  return where;
}

export async function fetchContributions(config: AppConfig, filter: ContributionFilter, first = 200): Promise<ContributionEntity[]> {
  const data = await indexerQuery<{ contributions: ContributionEntity[] }>(
    config,
    `query Contributions($where: Contribution_filter!, $first: Int!) {
      contributions(first: $first, orderBy: createdAt, orderDirection: desc, where: $where) { ${CONTRIBUTION_FIELDS} } }`,
    { where: contributionWhere(filter), first },
  );
  return data.contributions;
}

export async function fetchContribution(config: AppConfig, id: string): Promise<ContributionEntity | null> {
  const data = await indexerQuery<{ contribution: ContributionEntity | null }>(
    config,
    `query Contribution($id: ID!) { contribution(id: $id) { ${CONTRIBUTION_FIELDS} } }`,
    { id },
  );
  return data.contribution;
}
