// Thin hook over withdrawContributionMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { withdrawContributionMutationOptions } from "../mutations/withdraw-contribution-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useWithdrawContribution() {
  return useMutation(withdrawContributionMutationOptions(useWriteContext()));
}
