// Mutation options for cancelGrantSignature.
import { cancelGrantSignature } from "../actions/cancel-grant-signature.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function cancelGrantSignatureMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "cancelGrantSignature", cancelGrantSignature);
}
