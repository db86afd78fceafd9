// Mutation options for denyAccessRequest.
import { denyAccessRequest } from "../actions/deny-access-request.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function denyAccessRequestMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "denyAccessRequest", denyAccessRequest);
}
