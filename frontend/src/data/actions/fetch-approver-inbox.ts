// An approver's inbox: the Datanets they own or approve for, their pending access requests
// and pending contributions.
import type { AppConfig } from "../../config/app-config.ts";
import { CONTRIBUTION_FIELDS, GRANT_FIELDS, REQUEST_FIELDS } from "../fields.ts";
import type { AccessGrantEntity, AccessRequestEntity, ContributionEntity } from "../types.ts";
import { indexerQuery } from "./indexer.ts";

export type ApproverInbox = {
  datanetIds: string[];
  requests: AccessRequestEntity[];
  contributions: ContributionEntity[];
  grants: AccessGrantEntity[];
};

export async function fetchApproverInbox(config: AppConfig, account: string): Promise<ApproverInbox> {
  const a = account.toLowerCase();
  const roles = await indexerQuery<{ datanets: { id: string }[]; datanetApprovers: { datanet: { id: string } }[] }>(
    config,
    `query Roles($a: String!) { datanets(first: 1000, where: { owner: $a }) { id }
      datanetApprovers(first: 1000, where: { approver: $a, active: true }) { datanet { id } } }`,
    { a },
  );
  const datanetIds = [...new Set([...roles.datanets.map((d) => d.id), ...roles.datanetApprovers.map((d) => d.datanet.id)])];
  if (datanetIds.length === 0) return { datanetIds, requests: [], contributions: [], grants: [] };
  const data = await indexerQuery<{
    accessRequests: AccessRequestEntity[];
    contributions: ContributionEntity[];
    grants: AccessGrantEntity[];
  }>(
    config,
    `query Inbox($ids: [String!]!) {
      accessRequests(first: 500, orderBy: createdAt, orderDirection: asc, where: { datanet_in: $ids, status: Pending }) { ${REQUEST_FIELDS} }
      contributions(first: 500, orderBy: createdAt, orderDirection: asc, where: { datanet_in: $ids, status: Pending }) { ${CONTRIBUTION_FIELDS} }
      grants: accessGrants(first: 500, orderBy: grantedAt, orderDirection: desc, where: { datanet_in: $ids, active: true }) { ${GRANT_FIELDS} } }`,
    { ids: datanetIds },
  );
  return { datanetIds, requests: data.accessRequests, contributions: data.contributions, grants: data.grants };
}
