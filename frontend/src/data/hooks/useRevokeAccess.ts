// Thin hook over revokeAccessMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { revokeAccessMutationOptions } from "../mutations/revoke-access-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useRevokeAccess() {
  return useMutation(revokeAccessMutationOptions(useWriteContext()));
}
