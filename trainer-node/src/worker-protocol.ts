/**
 * The model worker's JSON-lines protocol `modelfactory.worker/1` (trainer-node/worker/PROTOCOL.md):
 * the commands the daemon writes, and the JSON Schemas of the events the worker sends, with the
 * types derived from them. Results are in `worker-results.ts`; `worker-schema.ts` validates.
 *
 * Every event about a command echoes its `id`.
 */
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { WORKER_PROTOCOL, commandIdSchema, processMemorySchema, type CommandResults } from "./worker-results.ts";

export * from "./worker-results.ts";

export const WORKER_COMMANDS = [
  "info",
  "load",
  "count_tokens",
  "train",
  "evaluate",
  "generate",
  "attribute",
  "influence_index",
  "influence",
  "save",
  "export",
  "cancel",
  "shutdown",
] as const;
export type WorkerCommandName = (typeof WORKER_COMMANDS)[number];

export const WORKER_ERROR_CODES = [
  "bad_json",
  "bad_request",
  "unknown_command",
  "unsupported_protocol",
  "file_not_found",
  "invalid_record",
  "unsupported_model",
  "not_loaded",
  "unknown_adapter",
  "out_of_memory",
  "cancelled",
  "internal",
] as const;
export type WorkerErrorCode = (typeof WORKER_ERROR_CODES)[number];

/** Chosen by the daemon, unique among the commands it has in flight. */
export type CommandId = string | number;

// ---- commands (written by the daemon) --------------------------------------------------------

export type Role = "system" | "user" | "assistant";
export type ChatMessage = { role: Role; content: string };

export type LoadArgs = {
  /** Local Hugging Face model folder. Omit to add `adapters` over the loaded base. */
  model?: string;
  device?: "auto" | "cpu" | `cuda${string}`;
  dtype?: "auto" | "float32" | "bfloat16" | "float16";
  quantization?: "none" | "nf4";
  quant_backend?: "auto" | "bitsandbytes" | "cpu";
  gradient_checkpointing?: boolean;
  /** name -> PEFT adapter folder */
  adapters?: Record<string, string>;
};

export type CountTokensArgs = { files?: string[]; texts?: string[]; max_seq_len?: number };

export type LoraSettings = {
  r?: number;
  alpha?: number;
  dropout?: number;
  targets?: "all-linear" | string[];
  rslora?: boolean;
  dora?: boolean;
};

/** `train.config`: every field optional, the worker fills in its defaults (PROTOCOL.md). */
export type TrainConfig = {
  method?: "lora" | "qlora" | "full";
  lora?: LoraSettings;
  learning_rate?: number;
  epochs?: number;
  max_steps?: number;
  batch_size?: number;
  grad_accum?: number;
  max_seq_len?: number;
  packing?: boolean;
  scheduler?: "cosine" | "linear" | "constant";
  warmup_steps?: number;
  warmup_ratio?: number;
  min_lr_ratio?: number;
  weight_decay?: number;
  max_grad_norm?: number;
  adam_beta1?: number;
  adam_beta2?: number;
  adam_eps?: number;
  seed?: number;
  /** Steps between held-out evaluations; 0 = about `evals_per_run` per run. */
  eval_every?: number;
  evals_per_run?: number;
  /** Stop after this many evaluations in a row without improving by more than the min delta; 0 = never. */
  early_stopping_patience?: number;
  early_stopping_min_delta?: number;
  /** Held-out records the in-training evaluations read (a seeded slice); 0 = about 1/30 of the run's training tokens over all of them, at least 4. */
  eval_slice_records?: number;
  checkpoint_every?: number;
  keep_checkpoints?: number;
  eval_fraction?: number;
  gradient_checkpointing?: boolean;
  /** CPU matmuls: `auto` (default) is bf16 autocast where the CPU multiplies bf16 natively, else fp32. */
  precision?: "auto" | "fp32" | "bf16";
};

export type TrainArgs = {
  /** JSONL files of canonical records (`modelfactory.record/1`). */
  data: { train: string; eval?: string };
  output_dir: string;
  adapter?: string;
  config?: TrainConfig;
  /** `"latest"` (newest checkpoint in output_dir, if any) or a checkpoint folder. */
  resume_from?: string | null;
  /** Data-parallel training processes (1-64, default 1 = in the worker). */
  processes?: number;
};

export type EvaluateArgs = {
  data?: string;
  adapter?: string | null;
  generation?: boolean;
  max_samples?: number;
  max_new_tokens?: number;
  max_seq_len?: number;
  /** CPU matmuls of the perplexity passes, as `train.config.precision` (default `auto`). */
  precision?: "auto" | "fp32" | "bf16";
  /**
   * Post-training data insights: the tuned model's loss per contribution on the held-out records
   * (`eval_contributions`: one contribution id per record of `data`, in order) and on a seeded sample
   * of at most `max_train_records` (default 64) training records of each contribution (`train`, with
   * `train_contributions` one id per record). Needs an adapter.
   */
  insights?: { eval_contributions: string[]; train?: string; train_contributions?: string[]; max_train_records?: number };
};

export type SamplingSettings = {
  max_new_tokens?: number;
  /** 0 = greedy */
  temperature?: number;
  top_p?: number;
  /** 0 = off */
  top_k?: number;
  stop?: string | string[];
  seed?: number;
};

export type GenerateArgs = SamplingSettings & {
  messages?: ChatMessage[];
  prompt?: string;
  /** null or absent: the base model without adapters */
  adapter?: string | null;
  /** Default true: a `token` event per piece of text. */
  stream?: boolean;
};

/**
 * Context attribution of a generated answer: the answer's log-likelihood with every passage and
 * with passages removed. The prompt is rebuilt as chat built it: a system message of
 * `sources.before` + the kept passages + `sources.after`, then `messages`.
 */
export type AttributeArgs = {
  sources: { before: string; passages: string[]; after?: string };
  /** The conversation after that system message (user and assistant turns). */
  messages: ChatMessage[];
  /** The answer exactly as generated. */
  answer: string;
  /** null or absent: the base model without adapters */
  adapter?: string | null;
  /** auto (default): leave-one-out when it needs no more passes than `ablations`, else ContextCite. */
  method?: "auto" | "leave_one_out" | "contextcite";
  /** Forward passes of ContextCite's random masks, the full prompt included (default 32). */
  ablations?: number;
  seed?: number;
  /** Rows per forward pass (default 1 on CPU, 16 on CUDA). */
  batch_size?: number;
};

/**
 * Training influence, step one: per contribution, the adapter's loss gradient over a seeded sample
 * of its records, sketched to `dim` dimensions, written as a safetensors index at `out`.
 */
export type InfluenceIndexArgs = {
  /** The adapter whose parameters the gradients are taken of (default: the last loaded or trained). */
  adapter?: string;
  contributions: { id: string; records: string }[];
  out: string;
  /** Sketch dimensions (default 8192). */
  dim?: number;
  /** Records sampled per contribution (default 16). */
  per_contribution?: number;
  seed?: number;
  max_length?: number;
};

/** Training influence, step two: contributions ranked by how their gradients align with the answer's. */
export type InfluenceArgs = { adapter?: string; index: string; messages: ChatMessage[]; answer: string; top?: number };

export type SaveArgs = { path: string; adapter?: string; merged?: boolean; full_model?: boolean };
export type ExportFormat = "hf" | "gguf-f16" | "gguf-q8_0";
/** Base + adapter merged (from the full-precision base on disk), written under `path` in each format. */
export type ExportArgs = { path: string; adapter?: string | null; formats?: ExportFormat[]; name?: string };
export type CancelArgs = { target: CommandId };
export type NoArgs = Record<string, never>;

/** The fields of each command besides `cmd`, `id` and `protocol`. */
export type CommandArgs = {
  info: NoArgs;
  load: LoadArgs;
  count_tokens: CountTokensArgs;
  train: TrainArgs;
  evaluate: EvaluateArgs;
  generate: GenerateArgs;
  attribute: AttributeArgs;
  influence_index: InfluenceIndexArgs;
  influence: InfluenceArgs;
  save: SaveArgs;
  export: ExportArgs;
  cancel: CancelArgs;
  shutdown: NoArgs;
};

/** A command line as written to the worker. */
export type WorkerCommand = {
  [C in WorkerCommandName]: { cmd: C; id: CommandId; protocol?: typeof WORKER_PROTOCOL } & CommandArgs[C];
}[WorkerCommandName];

// ---- events (sent by the worker) -------------------------------------------------------------

const str = { type: "string" } as const;
const int = { type: "integer" } as const;
const num = { type: "number" } as const;
const measured = { type: ["number", "null"] } as const;

/** The worker's first line. */
export const readyEventSchema = {
  type: "object",
  properties: {
    event: { const: "ready" },
    id: { type: "null" },
    protocol: { const: WORKER_PROTOCOL },
    worker_version: str,
    pid: int,
    /** A description for people: "cpu (16 cores)" or the GPU's name. */
    device: str,
    /** The torch device a model loaded with `device: auto` runs on: "cpu" or "cuda:N". */
    compute_device: str,
    /** Measured at start-up; MFU is relative to it. */
    matmul_peak_gflops: num,
  },
  required: ["event", "id", "protocol", "worker_version", "pid", "device", "compute_device", "matmul_peak_gflops"],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** One optimizer step of `train`. */
export const progressEventSchema = {
  type: "object",
  properties: {
    event: { const: "progress" },
    id: commandIdSchema,
    phase: { const: "train" },
    step: int,
    total_steps: int,
    /** fractional */
    epoch: num,
    loss: measured,
    lr: num,
    grad_norm: measured,
    tokens: int,
    trained_tokens: int,
    tokens_per_s: num,
    /** 0-1, achieved model FLOPs over the matmul peak measured at start-up */
    mfu: num,
    memory: processMemorySchema,
    eta_s: num,
    step_time_s: num,
    /** On evaluation steps; null without held-out data. */
    eval_loss: measured,
  },
  required: [
    "event",
    "id",
    "phase",
    "step",
    "total_steps",
    "epoch",
    "loss",
    "lr",
    "grad_norm",
    "tokens",
    "trained_tokens",
    "tokens_per_s",
    "mfu",
    "memory",
    "eta_s",
    "step_time_s",
  ],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const checkpointEventSchema = {
  type: "object",
  properties: { event: { const: "checkpoint" }, id: commandIdSchema, step: int, path: str },
  required: ["event", "id", "step", "path"],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** The next piece of a `generate` answer; pieces concatenate to the result's `text`. */
export const tokenEventSchema = {
  type: "object",
  properties: { event: { const: "token" }, id: commandIdSchema, text: str, index: int },
  required: ["event", "id", "text", "index"],
  additionalProperties: false,
} as const satisfies JSONSchema;

/** The envelope of a result; `result` is checked against `RESULT_SCHEMAS[cmd]`. */
export const resultEventSchema = {
  type: "object",
  properties: {
    event: { const: "result" },
    id: commandIdSchema,
    cmd: { enum: WORKER_COMMANDS },
    result: { type: "object" },
  },
  required: ["event", "id", "cmd", "result"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const errorEventSchema = {
  type: "object",
  properties: {
    event: { const: "error" },
    /** null when the line could not be read as a command with an id */
    id: { type: ["string", "integer", "null"] },
    code: { enum: WORKER_ERROR_CODES },
    message: str,
    details: { type: "object" },
  },
  required: ["event", "id", "code", "message", "details"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const EVENT_SCHEMAS = {
  ready: readyEventSchema,
  progress: progressEventSchema,
  checkpoint: checkpointEventSchema,
  token: tokenEventSchema,
  result: resultEventSchema,
  error: errorEventSchema,
} as const;
export type WorkerEventName = keyof typeof EVENT_SCHEMAS;

export type ReadyEvent = FromSchema<typeof readyEventSchema>;
export type ProgressEvent = FromSchema<typeof progressEventSchema>;
export type CheckpointEvent = FromSchema<typeof checkpointEventSchema>;
export type TokenEvent = FromSchema<typeof tokenEventSchema>;
export type ErrorEvent = FromSchema<typeof errorEventSchema>;

/** The result of command `C`; `cmd` tells which. */
export type ResultEvent<C extends WorkerCommandName = WorkerCommandName> = {
  [K in C]: { event: "result"; id: CommandId; cmd: K; result: CommandResults[K] };
}[C];

export type WorkerEvent = ReadyEvent | ProgressEvent | CheckpointEvent | TokenEvent | ResultEvent | ErrorEvent;

/** The events a command sends before its result. */
export type CommandEvents = {
  info: never;
  load: never;
  count_tokens: never;
  train: ProgressEvent | CheckpointEvent;
  evaluate: never;
  generate: TokenEvent;
  attribute: never;
  influence_index: never;
  influence: never;
  save: never;
  export: never;
  cancel: never;
  shutdown: never;
};
