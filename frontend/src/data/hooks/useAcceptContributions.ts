// Thin hook over acceptContributionsMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { acceptContributionsMutationOptions } from "../mutations/accept-contributions-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useAcceptContributions() {
  return useMutation(acceptContributionsMutationOptions(useWriteContext()));
}
