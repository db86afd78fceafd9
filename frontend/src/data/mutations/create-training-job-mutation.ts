// Mutation options for createTrainingJob.
import { createTrainingJob } from "../actions/create-training-job.ts";
import { protocolWriteMutationOptions, type WriteContext } from "./protocol-write-mutation.ts";

export function createTrainingJobMutationOptions(ctx: WriteContext) {
  return protocolWriteMutationOptions(ctx, "createTrainingJob", createTrainingJob);
}
