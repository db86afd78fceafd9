// Access grants and requests of a builder (or on a Datanet).
import type { AppConfig } from "../../config/app-config.ts";
import { GRANT_FIELDS, REQUEST_FIELDS } from "../fields.ts";
import type { AccessGrantEntity, AccessRequestEntity } from "../types.ts";
import { indexerQuery } from "./indexer.ts";

export type GrantsFilter = { grantee?: string; datanet?: string };
export type GrantsAndRequests = { grants: AccessGrantEntity[]; requests: AccessRequestEntity[] };

export async function fetchGrants(config: AppConfig, filter: GrantsFilter): Promise<GrantsAndRequests> {
  const gw: Record<string, unknown> = {};
  const rw: Record<string, unknown> = {};
  if (filter.grantee) {
    gw.grantee = filter.grantee.toLowerCase();
    rw.requester = filter.grantee.toLowerCase();
  }
  if (filter.datanet) {
    gw.datanet = filter.datanet;
    rw.datanet = filter.datanet;
  }
  return indexerQuery<GrantsAndRequests>(
    config,
    `query Grants($gw: AccessGrant_filter!, $rw: AccessRequest_filter!) {
      grants: accessGrants(first: 500, orderBy: grantedAt, orderDirection: desc, where: $gw) { ${GRANT_FIELDS} }
      requests: accessRequests(first: 500, orderBy: createdAt, orderDirection: desc, where: $rw) { ${REQUEST_FIELDS} } }`,
    { gw, rw },
  );
}
