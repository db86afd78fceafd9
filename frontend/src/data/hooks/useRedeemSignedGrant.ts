// Thin hook over redeemSignedGrantMutationOptions: `mutateAsync(params)` resolves with the receipt.
import { useMutation } from "@tanstack/react-query";
import { redeemSignedGrantMutationOptions } from "../mutations/redeem-signed-grant-mutation.ts";
import { useWriteContext } from "./useWriteContext.ts";

export function useRedeemSignedGrant() {
  return useMutation(redeemSignedGrantMutationOptions(useWriteContext()));
}
