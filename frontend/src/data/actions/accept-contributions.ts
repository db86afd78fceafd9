// Accepts a batch of pending contributions (an approver of each one's Datanet).
import { ascending, idsArg, REVIEW_BATCH_MAX } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type AcceptContributionsParams = { contributionIds: readonly string[] };

export function acceptContributions(p: AcceptContributionsParams) {
  const ids = ascending(idsArg("contribution", p.contributionIds, REVIEW_BATCH_MAX));
  return { label: `Accept ${ids.length} contribution(s)`, write: protocolWrite("DatanetRegistry", "acceptContributions", [ids]) };
}
