// Mutation options for redeemSignedGrant.
import { redeemSignedGrant } from "../actions/redeem-signed-grant.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function redeemSignedGrantMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "redeemSignedGrant", redeemSignedGrant);
}
