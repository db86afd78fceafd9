// Thin hook over setEncryptionKeyMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { setEncryptionKeyMutationOptions } from "../mutations/set-encryption-key-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useSetEncryptionKey() {
  return useMutation(setEncryptionKeyMutationOptions(useWriteContext()));
}
