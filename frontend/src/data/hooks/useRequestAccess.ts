// Thin hook over requestAccessMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { requestAccessMutationOptions } from "../mutations/request-access-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useRequestAccess() {
  return useMutation(requestAccessMutationOptions(useWriteContext()));
}
