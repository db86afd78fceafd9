// Thin hook over registerContributionMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { registerContributionMutationOptions } from "../mutations/register-contribution-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useRegisterContribution() {
  return useMutation(registerContributionMutationOptions(useWriteContext()));
}
