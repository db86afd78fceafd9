/**
 * The training commands' results: `count_tokens` (the data plan) and `train`, with the run's
 * memory report, filled-in settings and best evaluation.
 * Part of the worker protocol's result schemas; import them from `../worker-results.ts`.
 */
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { str, int, num, bool, strOrNull, measured, strings } from "./primitives.ts";
import { processMemorySchema } from "./session.ts";

export const countTokensResultSchema = {
  type: "object",
  properties: {
    files: {
      type: "array",
      items: {
        type: "object",
        properties: {
          path: str,
          records: int,
          kinds: { type: "object", properties: { instruction: int, chat: int, text: int }, additionalProperties: false },
          tokens: int,
          max_tokens: int,
          trained_tokens: int,
          truncated: int,
          dropped: int,
        },
        required: ["path", "records", "kinds", "tokens", "max_tokens", "trained_tokens", "truncated", "dropped"],
        additionalProperties: false,
      },
    },
    /** Present when the command sent `texts`. */
    texts: { type: "array", items: int },
  },
  required: ["files"],
  additionalProperties: false,
} as const satisfies JSONSchema;

const estimateProperties = {
  parameters: int,
  lora_parameters: int,
  bytes_per_weight: int,
  tokens_per_micro_batch: int,
  full_mb: num,
  lora_mb: num,
  qlora_mb: num,
  activations_mb: num,
} as const;
const estimateRequired = [
  "parameters",
  "lora_parameters",
  "bytes_per_weight",
  "tokens_per_micro_batch",
  "full_mb",
  "lora_mb",
  "qlora_mb",
  "activations_mb",
] as const;

/** The memory report of a training run (memory.py `memory_report`); sizes in MiB. */
export const memoryReportSchema = {
  type: "object",
  properties: {
    measured: {
      type: "object",
      properties: {
        tensors: {
          type: "object",
          properties: { trainable_params: num, frozen_params: num, buffers: num, grads: num, optimizer: num },
          required: ["trainable_params", "frozen_params", "buffers", "grads", "optimizer"],
          additionalProperties: false,
        },
        ...processMemorySchema.properties,
        /** The run's peak: CUDA's max_memory_allocated on GPU, peak RSS on CPU. */
        training_peak_mb: num,
      },
      required: ["tensors", "rss_mb", "peak_rss_mb", "training_peak_mb"],
      additionalProperties: false,
    },
    activations_per_token_mb: num,
    this_model: {
      type: "object",
      properties: { ...estimateProperties, linear_parameters: int },
      required: [...estimateRequired, "linear_parameters"],
      additionalProperties: false,
    },
    llama_7b: { type: "object", properties: estimateProperties, required: estimateRequired, additionalProperties: false },
    assumptions: str,
  },
  required: ["measured", "activations_per_token_mb", "this_model", "llama_7b", "assumptions"],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** The training settings the run used, every default filled in (trainconfig.py). */
export const trainConfigSchema = {
  type: "object",
  properties: {
    method: { enum: ["lora", "qlora", "full"] },
    lora: {
      type: "object",
      properties: { r: int, alpha: num, dropout: num, targets: { anyOf: [str, strings] }, rslora: bool, dora: bool },
      required: ["r", "alpha", "dropout", "targets", "rslora", "dora"],
      additionalProperties: false,
    },
    learning_rate: num,
    epochs: int,
    max_steps: int,
    batch_size: int,
    grad_accum: int,
    max_seq_len: int,
    packing: bool,
    scheduler: { enum: ["cosine", "linear", "constant"] },
    warmup_steps: int,
    warmup_ratio: num,
    min_lr_ratio: num,
    weight_decay: num,
    max_grad_norm: num,
    adam_beta1: num,
    adam_beta2: num,
    adam_eps: num,
    seed: int,
    eval_every: int,
    evals_per_run: int,
    early_stopping_patience: int,
    early_stopping_min_delta: num,
    /** Held-out records the in-training evaluations read; 0 = derived. Optional: workers before it echo no such field. */
    eval_slice_records: int,
    checkpoint_every: int,
    keep_checkpoints: int,
    eval_fraction: num,
    gradient_checkpointing: bool,
    /** CPU matmuls: auto (bf16 autocast where the CPU multiplies bf16 natively), fp32 or bf16. Optional: workers before it echo no such field. */
    precision: { enum: ["auto", "fp32", "bf16"] },
  },
  required: [
    "method",
    "lora",
    "learning_rate",
    "epochs",
    "max_steps",
    "batch_size",
    "grad_accum",
    "max_seq_len",
    "packing",
    "scheduler",
    "warmup_steps",
    "warmup_ratio",
    "min_lr_ratio",
    "weight_decay",
    "max_grad_norm",
    "adam_beta1",
    "adam_beta2",
    "adam_eps",
    "seed",
    "eval_every",
    "evals_per_run",
    "early_stopping_patience",
    "early_stopping_min_delta",
    "checkpoint_every",
    "keep_checkpoints",
    "eval_fraction",
    "gradient_checkpointing",
  ],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** The evaluation whose weights the run published (the lowest held-out loss), and why the run ended where it did. */
export const bestEvaluationSchema = {
  type: "object",
  properties: {
    step: int,
    eval_loss: measured,
    /** true when early stopping ended the run before its last step */
    stopped_early: bool,
    /** One sentence for people: "eval loss 1.92 at step 40 was the lowest of 6 evaluation(s); stopped at step 60 …" */
    reason: str,
  },
  required: ["step", "eval_loss", "stopped_early", "reason"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const trainResultSchema = {
  type: "object",
  properties: {
    status: { enum: ["completed", "cancelled"] },
    step: int,
    total_steps: int,
    /** null when no step ran (or its loss was not finite). */
    final_loss: measured,
    losses: { type: "array", items: measured },
    /** The published weights' held-out loss (the best evaluation's); null without held-out data, or when the run was cancelled. */
    eval_loss: measured,
    /** [step, held-out loss] of every evaluation during training, the last step's included. */
    eval_losses: {
      type: "array",
      items: { type: "array", items: [int, measured], minItems: 2, additionalItems: false },
    },
    /** Steps between evaluations the run used (set, or derived from evals_per_run); 0 = only at the end. */
    eval_every: int,
    /** Seconds of the run spent on those evaluations. */
    eval_seconds: num,
    /** Held-out records each of those evaluations read: a seeded slice of the split (the report's perplexity reads all of it). */
    eval_records: int,
    /** null without a finite held-out loss (no held-out data, or cancelled before any evaluation). */
    best: { anyOf: [bestEvaluationSchema, { type: "null" }] },
    /** The adapter's name; null for `method: full`. */
    adapter: strOrNull,
    /** The saved PEFT adapter folder (LoRA, QLoRA). */
    adapter_path: str,
    /** The saved model folder (`method: full`). */
    model_path: str,
    last_checkpoint: strOrNull,
    resumed_from: strOrNull,
    tokens: int,
    seconds: num,
    tokens_per_s: num,
    mfu: num,
    /** What the run's matmuls computed in: "bf16-autocast" (CPU, float32 weights), "fp32", or the GPU's half dtype. Optional: workers before it report none. */
    compute: str,
    data: {
      type: "object",
      properties: { train_examples: int, eval_examples: int, dropped: int, truncated: int },
      required: ["train_examples", "eval_examples", "dropped", "truncated"],
      additionalProperties: false,
    },
    memory: memoryReportSchema,
    config: trainConfigSchema,
    /** Present when the command asked for `processes` > 1. */
    processes: int,
  },
  required: [
    "status",
    "step",
    "total_steps",
    "final_loss",
    "losses",
    "eval_loss",
    "eval_losses",
    "eval_every",
    "eval_seconds",
    "best",
    "adapter",
    "last_checkpoint",
    "resumed_from",
    "tokens",
    "seconds",
    "tokens_per_s",
    "mfu",
    "data",
    "memory",
    "config",
  ],
  additionalProperties: false,
} as const satisfies JSONSchema;

export type CountTokensResult = FromSchema<typeof countTokensResultSchema>;
export type MemoryReport = FromSchema<typeof memoryReportSchema>;
export type TrainResultConfig = FromSchema<typeof trainConfigSchema>;
export type BestEvaluation = FromSchema<typeof bestEvaluationSchema>;
export type TrainResult = FromSchema<typeof trainResultSchema>;
