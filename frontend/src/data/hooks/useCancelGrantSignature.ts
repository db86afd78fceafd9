// Thin hook over cancelGrantSignatureMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { cancelGrantSignatureMutationOptions } from "../mutations/cancel-grant-signature-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useCancelGrantSignature() {
  return useMutation(cancelGrantSignatureMutationOptions(useWriteContext()));
}
