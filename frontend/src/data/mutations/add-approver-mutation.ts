// Mutation options for addApprover.
import { addApprover } from "../actions/add-approver.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function addApproverMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "addApprover", addApprover);
}
