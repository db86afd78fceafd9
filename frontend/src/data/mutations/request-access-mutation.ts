// Mutation options for requestAccess.
import { requestAccess } from "../actions/request-access.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function requestAccessMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "requestAccess", requestAccess);
}
