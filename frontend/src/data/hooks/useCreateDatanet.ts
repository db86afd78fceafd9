// Thin hook over createDatanetMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { createDatanetMutationOptions } from "../mutations/create-datanet-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useCreateDatanet() {
  return useMutation(createDatanetMutationOptions(useWriteContext()));
}
