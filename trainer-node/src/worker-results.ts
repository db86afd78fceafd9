/**
 * JSON Schemas of the results of the model worker's commands (protocol `modelfactory.worker/1`,
 * trainer-node/worker/PROTOCOL.md), and the TypeScript types derived from them with
 * `json-schema-to-ts`: the schema is the one definition, so a type cannot drift from what
 * `worker-schema.ts` validates at the boundary and the conformance test checks against the real
 * worker.
 *
 * Objects say `additionalProperties: false`: the schemas list exactly what the worker sends, so
 * the conformance test fails on a renamed or new field. The daemon's reader relaxes that rule
 * (the protocol lets a worker add fields within a version).
 *
 * JSON has no NaN or Infinity: the worker sends a non-finite float as `null`. Quantities computed
 * from the model's outputs (losses, perplexities, gradient norms) can be non-finite, so their
 * type is `number | null`; whoever publishes one checks it (evaluation.ts).
 */
import type { FromSchema, JSONSchema } from "json-schema-to-ts";

export const WORKER_PROTOCOL = "modelfactory.worker/1" as const;

const str = { type: "string" } as const;
const int = { type: "integer" } as const;
const num = { type: "number" } as const;
const bool = { type: "boolean" } as const;
const strOrNull = { type: ["string", "null"] } as const;
/** A float computed from model outputs: `null` when it was NaN or infinite. */
const measured = { type: ["number", "null"] } as const;
const strings = { type: "array", items: str } as const;

/** Resident memory of the worker process; CUDA allocator figures when the device is a GPU. */
export const processMemorySchema = {
  type: "object",
  properties: { rss_mb: num, peak_rss_mb: num, cuda_allocated_mb: num, cuda_peak_mb: num },
  required: ["rss_mb", "peak_rss_mb"],
  additionalProperties: false,
} as const satisfies JSONSchema;

const loadedModelProperties = {
  model: str,
  model_type: str,
  /** The torch device the model is on: "cpu" or "cuda:N". */
  device: str,
  dtype: { enum: ["float32", "bfloat16", "float16"] },
  quantization: { enum: ["none", "nf4"] },
  quant_backend: { enum: ["bitsandbytes", "cpu-nf4", null] },
  adapters: strings,
} as const;
const loadedModelRequired = ["model", "model_type", "device", "dtype", "quantization", "quant_backend", "adapters"] as const;

export const loadedModelSchema = {
  type: "object",
  properties: loadedModelProperties,
  required: loadedModelRequired,
  additionalProperties: false,
} as const satisfies JSONSchema;

export const infoResultSchema = {
  type: "object",
  properties: {
    protocol: { const: WORKER_PROTOCOL },
    worker_version: str,
    python: str,
    torch: str,
    transformers: str,
    peft: str,
    /** A description for people: "cpu (16 cores)" or the GPU's name. */
    device: str,
    /** Where the worker computes: the loaded model's device, else where `auto` loads ("cpu", "cuda:0"). */
    compute_device: str,
    cuda_available: bool,
    threads: int,
    matmul_peak_gflops: num,
    loaded: { anyOf: [loadedModelSchema, { type: "null" }] },
    memory: processMemorySchema,
    /** What a job on compute_device can use: the GPU's free/total memory, or the machine's available/total RAM (MiB). */
    device_memory: {
      type: "object",
      properties: { kind: { enum: ["cuda", "cpu"] }, total_mb: num, available_mb: num },
      required: ["kind", "total_mb", "available_mb"],
      additionalProperties: false,
    },
  },
  required: [
    "protocol", "worker_version", "python", "torch", "transformers", "peft", "device", "compute_device",
    "cuda_available", "threads", "matmul_peak_gflops", "loaded", "memory", "device_memory",
  ],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** What `load` measured of the quantized weights; only `quantized_parameters` when nothing is quantized. */
export const quantizationReportSchema = {
  type: "object",
  properties: { quantized_parameters: int, stored_bytes: int, bits_per_parameter: num, ratio_to_bf16: num },
  required: ["quantized_parameters"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const loadResultSchema = {
  type: "object",
  properties: {
    ...loadedModelProperties,
    parameters: {
      type: "object",
      properties: { total: int, trainable: int, quantized: int },
      required: ["total", "trainable", "quantized"],
      additionalProperties: false,
    },
    quantized: quantizationReportSchema,
    vocab_size: int,
    has_chat_template: bool,
    max_position_embeddings: { type: ["integer", "null"] },
    memory: processMemorySchema,
  },
  required: [...loadedModelRequired, "parameters", "quantized", "vocab_size", "has_chat_template", "max_position_embeddings", "memory"],
  additionalProperties: false,
} as const satisfies JSONSchema;

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
const estimateRequired = ["parameters", "lora_parameters", "bytes_per_weight", "tokens_per_micro_batch", "full_mb", "lora_mb", "qlora_mb", "activations_mb"] as const;

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
  },
  required: [
    "method", "lora", "learning_rate", "epochs", "max_steps", "batch_size", "grad_accum", "max_seq_len", "packing",
    "scheduler", "warmup_steps", "warmup_ratio", "min_lr_ratio", "weight_decay", "max_grad_norm", "adam_beta1",
    "adam_beta2", "adam_eps", "seed", "eval_every", "evals_per_run", "early_stopping_patience",
    "early_stopping_min_delta", "checkpoint_every", "keep_checkpoints", "eval_fraction", "gradient_checkpointing",
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
    "status", "step", "total_steps", "final_loss", "losses", "eval_loss", "eval_losses", "eval_every", "eval_seconds", "best", "adapter", "last_checkpoint",
    "resumed_from", "tokens", "seconds", "tokens_per_s", "mfu", "data", "memory", "config",
  ],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const perplexitySchema = {
  type: "object",
  properties: { loss: measured, perplexity: measured, tokens: int },
  required: ["loss", "perplexity", "tokens"],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** Greedy answers to held-out prompts scored against the references; only `samples` (0) when no record has a prompt and a reference. */
export const generationMetricsSchema = {
  type: "object",
  properties: {
    samples: int,
    /** sacreBLEU corpus BLEU, 13a tokenization, 0-100 */
    bleu: num,
    /** rouge-score F1, 0-1 */
    rouge1: num,
    rouge2: num,
    rougeL: num,
    /** The first few answers; `prompt` is the last user message the answer replies to. */
    examples: {
      type: "array",
      items: {
        type: "object",
        properties: { prompt: str, prediction: str, reference: str },
        required: ["prompt", "prediction", "reference"],
        additionalProperties: false,
      },
    },
  },
  required: ["samples"],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** The tuned model's loss on one contribution's records of one side; `loss` is the mean token loss in nats. */
const sideLossSchema = {
  type: ["object", "null"],
  properties: { records: int, tokens: int, loss: measured },
  required: ["records", "tokens", "loss"],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** Post-training data insights (worker insights.py): numbers and contribution ids only, never record text. */
export const insightsSchema = {
  type: "object",
  properties: {
    /** The flagging rule in words. */
    rule: str,
    z_threshold: num,
    min_gap_nats: num,
    min_contributions: int,
    max_train_records: int,
    contributions: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: str,
          /** null when none of its records was on that side. */
          train: sideLossSchema,
          held_out: sideLossSchema,
          /** Modified z-score on that side; null with too few contributions there or none of its records. */
          train_z: measured,
          held_out_z: measured,
          flagged: bool,
        },
        required: ["id", "train", "held_out", "train_z", "held_out_z", "flagged"],
        additionalProperties: false,
      },
    },
  },
  required: ["rule", "z_threshold", "min_gap_nats", "min_contributions", "max_train_records", "contributions"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const evaluateResultSchema = {
  type: "object",
  properties: {
    adapter: strOrNull,
    records: int,
    perplexity_base: perplexitySchema,
    /** Present when an adapter was evaluated. */
    perplexity_tuned: perplexitySchema,
    /** Present unless the command said `generation: false`. */
    generation_base: generationMetricsSchema,
    generation_tuned: generationMetricsSchema,
    /** The last `train` run's memory report, when there was one. */
    memory: memoryReportSchema,
    /** Present when the command asked for `insights`. */
    insights: insightsSchema,
  },
  required: ["adapter", "records", "perplexity_base"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const generateResultSchema = {
  type: "object",
  properties: {
    adapter: strOrNull,
    text: str,
    finish_reason: { enum: ["eos", "stop", "length", "cancelled"] },
    usage: {
      type: "object",
      // cached_tokens: prompt tokens whose keys and values were reused from an earlier request.
      properties: { prompt_tokens: int, completion_tokens: int, cached_tokens: int },
      required: ["prompt_tokens", "completion_tokens", "cached_tokens"],
      additionalProperties: false,
    },
  },
  required: ["adapter", "text", "finish_reason", "usage"],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** One passage's measured effect on the answer (attribution.py). */
export const passageEffectSchema = {
  type: "object",
  properties: {
    /** log p(answer) without this passage; null for ContextCite (no pass leaves exactly it out). */
    log_prob_without: measured,
    /** Nats the answer's log-likelihood falls when the passage is removed (measured, or the surrogate's prediction). */
    log_prob_drop: measured,
    /** exp(log_prob_drop): how many times likelier the answer is with the passage; null past float range. */
    ratio: measured,
    /** The linear surrogate's weight (equal to the drop for leave-one-out). */
    weight: measured,
  },
  required: ["log_prob_without", "log_prob_drop", "ratio", "weight"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const attributeResultSchema = {
  type: "object",
  properties: {
    adapter: strOrNull,
    method: { enum: ["leave_one_out", "contextcite"] },
    answer_tokens: int,
    /** log p(answer | full prompt), nats */
    log_prob: measured,
    forward_passes: int,
    seconds: num,
    /** CPU seconds of all the worker's threads: the cost apart from waiting for a core on a shared machine. */
    cpu_seconds: num,
    /** In the order of `sources.passages`. */
    passages: { type: "array", items: passageEffectSchema },
  },
  required: ["adapter", "method", "answer_tokens", "log_prob", "forward_passes", "seconds", "cpu_seconds", "passages"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const influenceIndexResultSchema = {
  type: "object",
  properties: {
    path: str,
    contributions: int,
    dim: int,
    /** Records whose gradients each contribution's feature averages (0: none survived tokenization). */
    examples: { type: "object", additionalProperties: int },
    skipped: strings,
    /** sha256 of the adapter parameters' names, shapes and values the features were taken at. */
    adapter_spec: str,
    seconds: num,
  },
  required: ["path", "contributions", "dim", "examples", "skipped", "adapter_spec", "seconds"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const influenceResultSchema = {
  type: "object",
  properties: {
    adapter: str,
    answer_tokens: int,
    /** Best first; score: cosine of the sketched gradients, in [-1, 1]. */
    ranking: {
      type: "array",
      items: { type: "object", properties: { contribution: str, score: num }, required: ["contribution", "score"], additionalProperties: false },
    },
    seconds: num,
  },
  required: ["adapter", "answer_tokens", "ranking", "seconds"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const saveResultSchema = {
  type: "object",
  properties: { path: str, kind: { enum: ["adapter", "merged", "model"] }, adapter: str, files: strings },
  required: ["path", "kind", "files"],
  additionalProperties: false,
} as const satisfies JSONSchema;

const ggufFileSchema = {
  type: "object",
  properties: {
    path: str,
    bytes: int,
    /** Tensor count per GGUF type (F32, F16, Q8_0). */
    tensor_types: { type: "object", additionalProperties: int },
    pre_tokenizer: str,
    notes: strings,
  },
  required: ["path", "bytes", "tensor_types", "pre_tokenizer", "notes"],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** The merged model written in each asked format (export.py). */
export const exportResultSchema = {
  type: "object",
  properties: {
    path: str,
    /** The adapter merged in; null: the base as it is. */
    adapter: strOrNull,
    seconds: num,
    files: {
      type: "object",
      properties: {
        hf: {
          type: "object",
          properties: { path: str, bytes: int, files: strings },
          required: ["path", "bytes", "files"],
          additionalProperties: false,
        },
        "gguf-f16": ggufFileSchema,
        "gguf-q8_0": ggufFileSchema,
      },
      additionalProperties: false,
    },
  },
  required: ["path", "adapter", "seconds", "files"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const commandIdSchema = { type: ["string", "integer"] } as const satisfies JSONSchema;

export const cancelResultSchema = {
  type: "object",
  properties: { target: commandIdSchema, cancelled: bool },
  required: ["target", "cancelled"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const shutdownResultSchema = { type: "object", properties: {}, additionalProperties: false } as const satisfies JSONSchema;

/** The schema of each command's result. */
export const RESULT_SCHEMAS = {
  info: infoResultSchema,
  load: loadResultSchema,
  count_tokens: countTokensResultSchema,
  train: trainResultSchema,
  evaluate: evaluateResultSchema,
  generate: generateResultSchema,
  attribute: attributeResultSchema,
  influence_index: influenceIndexResultSchema,
  influence: influenceResultSchema,
  save: saveResultSchema,
  export: exportResultSchema,
  cancel: cancelResultSchema,
  shutdown: shutdownResultSchema,
} as const;

export type ProcessMemory = FromSchema<typeof processMemorySchema>;
export type LoadedModelInfo = FromSchema<typeof loadedModelSchema>;
export type InfoResult = FromSchema<typeof infoResultSchema>;
export type QuantizationReport = FromSchema<typeof quantizationReportSchema>;
export type LoadResult = FromSchema<typeof loadResultSchema>;
export type CountTokensResult = FromSchema<typeof countTokensResultSchema>;
export type MemoryReport = FromSchema<typeof memoryReportSchema>;
export type TrainResultConfig = FromSchema<typeof trainConfigSchema>;
export type TrainResult = FromSchema<typeof trainResultSchema>;
export type BestEvaluation = FromSchema<typeof bestEvaluationSchema>;
export type Perplexity = FromSchema<typeof perplexitySchema>;
export type GenerationMetrics = FromSchema<typeof generationMetricsSchema>;
export type EvaluateResult = FromSchema<typeof evaluateResultSchema>;
export type InsightsResult = FromSchema<typeof insightsSchema>;
export type GenerateResult = FromSchema<typeof generateResultSchema>;
export type PassageEffect = FromSchema<typeof passageEffectSchema>;
export type AttributeResult = FromSchema<typeof attributeResultSchema>;
export type InfluenceIndexResult = FromSchema<typeof influenceIndexResultSchema>;
export type InfluenceResult = FromSchema<typeof influenceResultSchema>;
export type SaveResult = FromSchema<typeof saveResultSchema>;
export type ExportResult = FromSchema<typeof exportResultSchema>;
export type CancelResult = FromSchema<typeof cancelResultSchema>;
export type ShutdownResult = FromSchema<typeof shutdownResultSchema>;

/** The result type of each command. */
export type CommandResults = {
  info: InfoResult;
  load: LoadResult;
  count_tokens: CountTokensResult;
  train: TrainResult;
  evaluate: EvaluateResult;
  generate: GenerateResult;
  attribute: AttributeResult;
  influence_index: InfluenceIndexResult;
  influence: InfluenceResult;
  save: SaveResult;
  export: ExportResult;
  cancel: CancelResult;
  shutdown: ShutdownResult;
};
