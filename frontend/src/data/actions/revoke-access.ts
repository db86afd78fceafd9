// Revokes a grantee's access to a Datanet.
import { addressArg, idArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type RevokeAccessParams = { datanetId: string; grantee: string };

export function revokeAccess(p: RevokeAccessParams) {
  const grantee = addressArg("Grantee", p.grantee);
  return {
    label: `Revoke access of ${grantee.slice(0, 8)}…`,
    write: protocolWrite("DatanetRegistry", "revokeAccess", [idArg("Datanet id", p.datanetId), grantee]),
  };
}
