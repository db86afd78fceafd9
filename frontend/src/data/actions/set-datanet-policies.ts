// Changes a Datanet's access and contribution policies (owner only).
import { AccessPolicy, ContributionPolicy } from "@sdk/protocol/enums.ts";
import { idArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type SetDatanetPoliciesParams = {
  datanetId: string;
  accessPolicy: keyof typeof AccessPolicy;
  contributionPolicy: keyof typeof ContributionPolicy;
};

export function setDatanetPolicies(p: SetDatanetPoliciesParams) {
  return {
    label: "Update Datanet policies",
    write: protocolWrite("DatanetRegistry", "setPolicies", [
      idArg("Datanet id", p.datanetId),
      AccessPolicy[p.accessPolicy],
      ContributionPolicy[p.contributionPolicy],
    ]),
  };
}
