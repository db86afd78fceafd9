/**
 * The results of the commands that write model files: `save` (an adapter or model folder) and
 * `export` (merged weights, GGUF among them).
 * Part of the worker protocol's result schemas; import them from `../worker-results.ts`.
 */
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { str, int, num, strOrNull, strings } from "./primitives.ts";

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

export type SaveResult = FromSchema<typeof saveResultSchema>;
export type ExportResult = FromSchema<typeof exportResultSchema>;
