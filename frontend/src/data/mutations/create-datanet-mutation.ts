// Mutation options for createDatanet.
import { createDatanet } from "../actions/create-datanet.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function createDatanetMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "createDatanet", createDatanet);
}
