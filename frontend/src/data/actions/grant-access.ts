// Grants access by transaction (an approver of the Datanet).
import type { AccessGrant } from "@sdk/protocol/access-grant.ts";
import { addressArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type GrantAccessParams = { grant: Pick<AccessGrant, "datanetId" | "grantee" | "scopes" | "expiresAt"> };

export function grantAccess(p: GrantAccessParams) {
  const g = p.grant;
  return {
    label: `Grant access to Datanet #${g.datanetId}`,
    write: protocolWrite("DatanetRegistry", "grantAccess", [g.datanetId, addressArg("Grantee", g.grantee), g.scopes, g.expiresAt]),
  };
}
