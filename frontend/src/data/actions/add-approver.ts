// Adds an approver to a Datanet (owner only).
import { addressArg, idArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type AddApproverParams = { datanetId: string; approver: string };

export function addApprover(p: AddApproverParams) {
  return {
    label: "Add approver",
    write: protocolWrite("DatanetRegistry", "addApprover", [idArg("Datanet id", p.datanetId), addressArg("Approver address", p.approver)]),
  };
}
