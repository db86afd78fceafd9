// Thin hook over rejectContributionsMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { rejectContributionsMutationOptions } from "../mutations/reject-contributions-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useRejectContributions() {
  return useMutation(rejectContributionsMutationOptions(useWriteContext()));
}
