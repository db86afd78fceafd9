// Mutation options for withdrawContribution.
import { withdrawContribution } from "../actions/withdraw-contribution.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function withdrawContributionMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "withdrawContribution", withdrawContribution);
}
