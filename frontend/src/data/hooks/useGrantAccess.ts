// Thin hook over grantAccessMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { grantAccessMutationOptions } from "../mutations/grant-access-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useGrantAccess() {
  return useMutation(grantAccessMutationOptions(useWriteContext()));
}
