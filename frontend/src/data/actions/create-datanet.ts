// Creates a Datanet: its metadata document's URI and license, and its two policies.
import { AccessPolicy, ContributionPolicy } from "@sdk/protocol/enums.ts";
import { textArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type CreateDatanetParams = {
  metadataURI: string;
  license: string;
  accessPolicy: keyof typeof AccessPolicy;
  contributionPolicy: keyof typeof ContributionPolicy;
};

export function createDatanet(p: CreateDatanetParams) {
  return {
    label: "Create Datanet",
    write: protocolWrite("DatanetRegistry", "createDatanet", [
      textArg("metadata URI", p.metadataURI),
      p.license.trim(),
      AccessPolicy[p.accessPolicy],
      ContributionPolicy[p.contributionPolicy],
    ]),
  };
}
