// Denies an open access request with a reason the builder reads.
import { idArg, reasonArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type DenyAccessRequestParams = { datanetId: string; requestId: string; reason: string };

export function denyAccessRequest(p: DenyAccessRequestParams) {
  const requestId = idArg("Request id", p.requestId);
  return {
    label: `Deny request #${requestId}`,
    write: protocolWrite("DatanetRegistry", "denyAccessRequest", [idArg("Datanet id", p.datanetId), requestId, reasonArg(p.reason)]),
  };
}
