// Thin hook over setDatanetPoliciesMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { setDatanetPoliciesMutationOptions } from "../mutations/set-datanet-policies-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useSetDatanetPolicies() {
  return useMutation(setDatanetPoliciesMutationOptions(useWriteContext()));
}
