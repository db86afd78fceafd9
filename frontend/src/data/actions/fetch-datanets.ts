// Every Datanet with its metadata, newest first; search and filters apply on the client.
import type { AppConfig } from "../../config/app-config.ts";
import { DATANET_FIELDS } from "../fields.ts";
import type { Datanet, DatanetEntity } from "../types.ts";
import { fetchDatanetMetadata } from "./fetch-datanet-metadata.ts";
import { indexerQuery } from "./indexer.ts";

export type FetchDatanetsParams = { first?: number; skip?: number; owner?: string };

export async function fetchDatanets(config: AppConfig, params: FetchDatanetsParams = {}): Promise<Datanet[]> {
  // The owner is a variable, never spliced into the query text.
  const where = params.owner ? { owner: params.owner.toLowerCase() } : {};
  const data = await indexerQuery<{ datanets: DatanetEntity[] }>(
    config,
    `query Datanets($first: Int!, $skip: Int!, $where: Datanet_filter!) { datanets(first: $first, skip: $skip, orderBy: createdAt, orderDirection: desc, where: $where) { ${DATANET_FIELDS} } }`,
    { first: params.first ?? 200, skip: params.skip ?? 0, where },
  );
  return Promise.all(data.datanets.map(async (d) => ({ ...d, metadata: await fetchDatanetMetadata(config, d.metadataURI) })));
}

export type DatanetFilter = { text?: string; domain?: string; tag?: string; owner?: string };

/** Applies the browse page's search box and filters. */
export function filterDatanets(datanets: Datanet[], filter: DatanetFilter): Datanet[] {
  const text = filter.text?.trim().toLowerCase() ?? "";
  return datanets.filter((d) => {
    const m = d.metadata;
    if (filter.domain && m?.domain !== filter.domain) return false;
    if (filter.tag && !m?.tags.includes(filter.tag)) return false;
    if (filter.owner && d.owner.id.toLowerCase() !== filter.owner.toLowerCase()) return false;
    if (!text) return true;
    const hay = [m?.name, m?.description, m?.domain, ...(m?.tags ?? []), d.license, d.owner.id, `#${d.id}`].join(" ").toLowerCase();
    return text.split(/\s+/).every((word) => hay.includes(word));
  });
}
