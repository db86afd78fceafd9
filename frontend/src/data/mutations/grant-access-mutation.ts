// Mutation options for grantAccess.
import { grantAccess } from "../actions/grant-access.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function grantAccessMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "grantAccess", grantAccess);
}
