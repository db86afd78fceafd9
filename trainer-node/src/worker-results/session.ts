/**
 * The session commands' results: `info`, `load`, `cancel` and `shutdown`, with the loaded-model
 * and process-memory shapes the other results reuse.
 * Part of the worker protocol's result schemas; import them from `../worker-results.ts`.
 */
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { str, int, num, bool, strings } from "./primitives.ts";

export const WORKER_PROTOCOL = "modelfactory.worker/1" as const;

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
    /**
     * The copies chat answers from on a CPU (worker serving.py): their precision, how many are kept
     * (0: none), and whether the CPU multiplies bf16 natively (what the precision `auto` decides by).
     */
    serving: {
      type: "object",
      properties: { precision: { enum: ["float32", "bfloat16", "int8"] }, copies: int, native_bf16: bool },
      required: ["precision", "copies", "native_bf16"],
      additionalProperties: false,
    },
  },
  required: [
    "protocol",
    "worker_version",
    "python",
    "torch",
    "transformers",
    "peft",
    "device",
    "compute_device",
    "cuda_available",
    "threads",
    "matmul_peak_gflops",
    "loaded",
    "memory",
    "device_memory",
    "serving",
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

export const commandIdSchema = { type: ["string", "integer"] } as const satisfies JSONSchema;

export const cancelResultSchema = {
  type: "object",
  properties: { target: commandIdSchema, cancelled: bool },
  required: ["target", "cancelled"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export const shutdownResultSchema = { type: "object", properties: {}, additionalProperties: false } as const satisfies JSONSchema;

export type ProcessMemory = FromSchema<typeof processMemorySchema>;
export type LoadedModelInfo = FromSchema<typeof loadedModelSchema>;
export type InfoResult = FromSchema<typeof infoResultSchema>;
export type QuantizationReport = FromSchema<typeof quantizationReportSchema>;
export type LoadResult = FromSchema<typeof loadResultSchema>;
export type CancelResult = FromSchema<typeof cancelResultSchema>;
export type ShutdownResult = FromSchema<typeof shutdownResultSchema>;
