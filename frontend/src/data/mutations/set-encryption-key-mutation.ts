// Mutation options for setEncryptionKey.
import { setEncryptionKey } from "../actions/set-encryption-key.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function setEncryptionKeyMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "setEncryptionKey", setEncryptionKey);
}
