// Removes an approver from a Datanet (owner only).
import { addressArg, idArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type RemoveApproverParams = { datanetId: string; approver: string };

export function removeApprover(p: RemoveApproverParams) {
  return {
    label: "Remove approver",
    write: protocolWrite("DatanetRegistry", "removeApprover", [
      idArg("Datanet id", p.datanetId),
      addressArg("Approver address", p.approver),
    ]),
  };
}
