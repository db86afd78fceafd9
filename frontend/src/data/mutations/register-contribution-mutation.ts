// Mutation options for registerContribution.
import { registerContribution } from "../actions/register-contribution.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function registerContributionMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "registerContribution", registerContribution);
}
