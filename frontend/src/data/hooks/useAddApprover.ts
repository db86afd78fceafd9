// Thin hook over addApproverMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { addApproverMutationOptions } from "../mutations/add-approver-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useAddApprover() {
  return useMutation(addApproverMutationOptions(useWriteContext()));
}
