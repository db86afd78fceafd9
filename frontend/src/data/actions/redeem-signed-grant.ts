// Redeems a grant an approver signed (EIP-712), sent by anyone, usually the grantee.
import type { SignedAccessGrant } from "@sdk/protocol/access-grant.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type RedeemSignedGrantParams = { signed: SignedAccessGrant };

export function redeemSignedGrant(p: RedeemSignedGrantParams) {
  const { grant, approver, signature } = p.signed;
  return {
    label: `Redeem grant for Datanet #${grant.datanetId}`,
    write: protocolWrite("DatanetRegistry", "grantAccessBySig", [grant, approver, signature]),
  };
}
