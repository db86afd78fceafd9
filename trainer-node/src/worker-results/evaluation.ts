/**
 * The `evaluate` result: perplexities, generation metrics and the post-training data insights
 * (numbers and contribution ids only, never record text).
 * Part of the worker protocol's result schemas; import them from `../worker-results.ts`.
 */
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { str, int, num, bool, strOrNull, measured } from "./primitives.ts";
import { memoryReportSchema } from "./training.ts";

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
    /** What the perplexity passes computed in (as a train result's `compute`). Optional: workers before it report none. */
    compute: str,
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

export type Perplexity = FromSchema<typeof perplexitySchema>;
export type GenerationMetrics = FromSchema<typeof generationMetricsSchema>;
export type InsightsResult = FromSchema<typeof insightsSchema>;
export type EvaluateResult = FromSchema<typeof evaluateResultSchema>;
