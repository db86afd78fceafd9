// Registers a stored contribution: its content hash (of the plaintext, or of the envelope when sealed), CID and metadata URI.
import { bytes32Arg, idArg, textArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type RegisterContributionParams = { datanetId: string; contentHash: string; contentId: string; metadataURI: string };

export function registerContribution(p: RegisterContributionParams) {
  const datanetId = idArg("Datanet id", p.datanetId);
  return {
    label: `Register contribution to Datanet #${datanetId}`,
    write: protocolWrite("DatanetRegistry", "contribute", [
      datanetId,
      bytes32Arg("Content hash", p.contentHash),
      textArg("content id", p.contentId),
      textArg("metadata URI", p.metadataURI),
    ]),
  };
}
