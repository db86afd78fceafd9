// Mutation options for updateDatanetMetadata.
import { updateDatanetMetadata } from "../actions/update-datanet-metadata.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function updateDatanetMetadataMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "updateDatanetMetadata", updateDatanetMetadata);
}
