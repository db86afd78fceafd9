// The worker's train config for a job: the spec's hyperparameters in the worker's names, with the
// node's checkpoint and evaluation intervals (config.ts).
import type { TrainingSpec } from "@modelfactory/sdk";
import type { TrainConfig } from "./worker-protocol.ts";

/** Held-out evaluations per run when neither the spec nor the node sets how often (issue 16: about ten). */
export const EVALS_PER_RUN = 10;

/** Maps a spec to the worker's train config; `evalEvery` 0 evaluates about EVALS_PER_RUN times. */
export function workerTrainConfig(spec: TrainingSpec, checkpointEvery: number, evalEvery: number): TrainConfig {
  const h = spec.hyperparameters;
  const targets = h.lora.targets.length === 1 && h.lora.targets[0] === "all-linear" ? "all-linear" : h.lora.targets;
  return {
    method: spec.method,
    lora: { r: h.lora.rank, alpha: h.lora.alpha, dropout: h.lora.dropout, targets },
    learning_rate: h.learningRate,
    epochs: h.epochs,
    batch_size: h.batchSize,
    grad_accum: h.gradientAccumulation,
    max_seq_len: h.maxLength,
    scheduler: h.scheduler,
    warmup_ratio: h.warmupRatio,
    weight_decay: h.weightDecay,
    seed: h.seed,
    eval_every: h.evalEvery || evalEvery,
    evals_per_run: EVALS_PER_RUN,
    early_stopping_patience: h.earlyStoppingPatience ?? 0,
    early_stopping_min_delta: h.earlyStoppingMinDelta ?? 0,
    gradient_checkpointing: h.gradientCheckpointing ?? false,
    checkpoint_every: checkpointEvery,
  };
}
