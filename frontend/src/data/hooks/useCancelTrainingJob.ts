// Thin hook over cancelTrainingJobMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { cancelTrainingJobMutationOptions } from "../mutations/cancel-training-job-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useCancelTrainingJob() {
  return useMutation(cancelTrainingJobMutationOptions(useWriteContext()));
}
