// Packed citations of posted attribution batches (by model or contribution).
import type { AppConfig } from "../../config/app-config.ts";
import { CITATION_FIELDS } from "../fields.ts";
import type { CitationEntity } from "../types.ts";
import { indexerQuery } from "./indexer.ts";

export async function fetchCitations(config: AppConfig, where: Record<string, unknown>): Promise<CitationEntity[]> {
  const data = await indexerQuery<{ citations: CitationEntity[] }>(
    config,
    `query Citations($where: Citation_filter!) { citations(first: 500, orderBy: timestamp, orderDirection: desc, where: $where) { ${CITATION_FIELDS} } }`,
    { where },
  );
  return data.citations;
}
