// Points a Datanet at a new metadata document and license (owner only).
import { idArg, textArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type UpdateDatanetMetadataParams = { datanetId: string; metadataURI: string; license: string };

export function updateDatanetMetadata(p: UpdateDatanetMetadataParams) {
  return {
    label: "Update Datanet metadata",
    write: protocolWrite("DatanetRegistry", "updateMetadata", [
      idArg("Datanet id", p.datanetId),
      textArg("metadata URI", p.metadataURI),
      p.license.trim(),
    ]),
  };
}
