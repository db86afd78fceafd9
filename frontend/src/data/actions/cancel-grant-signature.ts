// Burns a signed grant's nonce so nobody can redeem it.
import { protocolWrite } from "../writes/protocol-write.ts";

export type CancelGrantSignatureParams = { nonce: bigint };

export function cancelGrantSignature(p: CancelGrantSignatureParams) {
  return { label: "Cancel signed grant", write: protocolWrite("DatanetRegistry", "cancelGrantSignature", [p.nonce]) };
}
