// A contributor's side of attribution: their contributions, the models trained on the
// Datanets they contributed to, and the citations of their contributions.
import type { AppConfig } from "../../config/app-config.ts";
import { CITATION_FIELDS, CONTRIBUTION_FIELDS } from "../fields.ts";
import type { CitationEntity, ContributionEntity } from "../types.ts";
import { indexerQuery } from "./indexer.ts";

export type ContributorView = {
  account: {
    id: string;
    contributionCount: number;
    acceptedContributionCount: number;
    citationCount: string;
    totalCitationWeight: string;
  } | null;
  contributions: ContributionEntity[];
  citations: CitationEntity[];
  models: { id: string; datanets: { id: string }[]; createdAt: string }[];
};

export async function fetchContributor(config: AppConfig, address: string): Promise<ContributorView> {
  const a = address.toLowerCase();
  const data = await indexerQuery<Omit<ContributorView, "models">>(
    config,
    `query Contributor($a: ID!, $s: String!) {
      account(id: $a) { id contributionCount acceptedContributionCount citationCount totalCitationWeight }
      contributions(first: 500, orderBy: createdAt, orderDirection: desc, where: { contributor: $s }) { ${CONTRIBUTION_FIELDS} }
      citations(first: 500, orderBy: timestamp, orderDirection: desc, where: { contributor: $s }) { ${CITATION_FIELDS} } }`,
    { a, s: a },
  );
  const datanets = [...new Set(data.contributions.map((c) => c.datanet.id))];
  const models = datanets.length
    ? (
        await indexerQuery<{ models: ContributorView["models"] }>(
          config,
          `query M($d: [String!]!) { models(first: 200, orderBy: createdAt, orderDirection: desc, where: { datanets_contains: $d }) { id datanets { id } createdAt } }`,
          { d: datanets.slice(0, 1) },
        ).catch(() => ({ models: [] }))
      ).models
    : [];
  return { ...data, models };
}
