// Mutation options for revokeAccess.
import { revokeAccess } from "../actions/revoke-access.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function revokeAccessMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "revokeAccess", revokeAccess);
}
