// Thin hook over removeApproverMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { removeApproverMutationOptions } from "../mutations/remove-approver-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useRemoveApprover() {
  return useMutation(removeApproverMutationOptions(useWriteContext()));
}
