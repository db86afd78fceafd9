// Mutation options for removeApprover.
import { removeApprover } from "../actions/remove-approver.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function removeApproverMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "removeApprover", removeApprover);
}
