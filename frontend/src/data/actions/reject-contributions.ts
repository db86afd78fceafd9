// Rejects a batch of pending contributions with a reason the contributors read.
import { ascending, idsArg, REVIEW_BATCH_MAX, reasonArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type RejectContributionsParams = { contributionIds: readonly string[]; reason: string };

export function rejectContributions(p: RejectContributionsParams) {
  const ids = ascending(idsArg("contribution", p.contributionIds, REVIEW_BATCH_MAX));
  return {
    label: `Reject ${ids.length} contribution(s)`,
    write: protocolWrite("DatanetRegistry", "rejectContributions", [ids, reasonArg(p.reason)]),
  };
}
