// Binds (or rotates) a permissioned Datanet's X25519 public key and its key service's URL.
import { bytes32Arg, idArg, textArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type SetEncryptionKeyParams = { datanetId: string; publicKey: string; keyServiceUrl: string; rotate: boolean };

export function setEncryptionKey(p: SetEncryptionKeyParams) {
  return {
    label: p.rotate ? "Rotate encryption key" : "Bind encryption key",
    write: protocolWrite("DatanetKeys", "setEncryptionKey", [
      idArg("Datanet id", p.datanetId),
      bytes32Arg("Public key", p.publicKey),
      textArg("key service URL", p.keyServiceUrl),
    ]),
  };
}
