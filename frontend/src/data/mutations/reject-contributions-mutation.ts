// Mutation options for rejectContributions.
import { rejectContributions } from "../actions/reject-contributions.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function rejectContributionsMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "rejectContributions", rejectContributions);
}
