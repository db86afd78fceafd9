// Opens a training job on its Datanets with the stored spec's URI and sha256.
import { bytes32Arg, idsArg, textArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

/** TrainingJobs.MAX_DATANETS: a job trains on 1 to 16 Datanets. */
export const MAX_JOB_DATANETS = 16;

export type CreateTrainingJobParams = { datanetIds: readonly string[]; specURI: string; specHash: string };

export function createTrainingJob(p: CreateTrainingJobParams) {
  return {
    label: "Create training job",
    write: protocolWrite("TrainingJobs", "createJob", [
      idsArg("Datanet", p.datanetIds, MAX_JOB_DATANETS),
      textArg("spec URI", p.specURI),
      bytes32Arg("Spec hash", p.specHash),
    ]),
  };
}
