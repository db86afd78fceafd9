// Cancels an open (unclaimed) training job (its builder only).
import { idArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type CancelTrainingJobParams = { jobId: string };

export function cancelTrainingJob(p: CancelTrainingJobParams) {
  const id = idArg("Job id", p.jobId);
  return { label: `Cancel job #${id}`, write: protocolWrite("TrainingJobs", "cancelJob", [id]) };
}
