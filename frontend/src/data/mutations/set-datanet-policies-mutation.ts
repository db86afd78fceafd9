// Mutation options for setDatanetPolicies.
import { setDatanetPolicies } from "../actions/set-datanet-policies.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function setDatanetPoliciesMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "setDatanetPolicies", setDatanetPolicies);
}
