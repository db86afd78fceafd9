// Thin hook over updateDatanetMetadataMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { updateDatanetMetadataMutationOptions } from "../mutations/update-datanet-metadata-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useUpdateDatanetMetadata() {
  return useMutation(updateDatanetMetadataMutationOptions(useWriteContext()));
}
