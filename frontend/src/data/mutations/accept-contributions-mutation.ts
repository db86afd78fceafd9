// Mutation options for acceptContributions.
import { acceptContributions } from "../actions/accept-contributions.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function acceptContributionsMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "acceptContributions", acceptContributions);
}
