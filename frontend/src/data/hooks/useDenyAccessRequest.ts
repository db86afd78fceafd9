// Thin hook over denyAccessRequestMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { denyAccessRequestMutationOptions } from "../mutations/deny-access-request-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useDenyAccessRequest() {
  return useMutation(denyAccessRequestMutationOptions(useWriteContext()));
}
