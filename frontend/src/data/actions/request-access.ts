// Asks a permissioned Datanet's approvers for access: scopes and the URI of the purpose document.
import { isValidScopes } from "@sdk/protocol/enums.ts";
import { idArg, textArg, WriteInputError } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type RequestAccessParams = { datanetId: string; scopes: number; purposeURI: string };

export function requestAccess(p: RequestAccessParams) {
  const datanetId = idArg("Datanet id", p.datanetId);
  if (!isValidScopes(p.scopes))
    throw new WriteInputError(`Scopes ${p.scopes} are not valid; choose at least one of train, retrieve, evaluate.`, {
      code: "WRITE_INPUT",
    });
  return {
    label: `Request access to Datanet #${datanetId}`,
    write: protocolWrite("DatanetRegistry", "requestAccess", [datanetId, p.scopes, textArg("purpose URI", p.purposeURI)]),
  };
}
