// Mutation options for cancelTrainingJob.
import { cancelTrainingJob } from "../actions/cancel-training-job.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function cancelTrainingJobMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "cancelTrainingJob", cancelTrainingJob);
}
