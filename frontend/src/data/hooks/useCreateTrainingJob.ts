// Thin hook over createTrainingJobMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { createTrainingJobMutationOptions } from "../mutations/create-training-job-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useCreateTrainingJob() {
  return useMutation(createTrainingJobMutationOptions(useWriteContext()));
}
