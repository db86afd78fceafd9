/**
 * The serving and attribution commands' results: `generate`, `attribute`, `influence_index` and
 * `influence`.
 * Part of the worker protocol's result schemas; import them from `../worker-results.ts`.
 */
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { str, int, num, strOrNull, measured, strings } from "./primitives.ts";

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
    /** Nats the log-likelihood of the answer's scored tokens falls when the passage is removed (measured, or the surrogate's prediction). */
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
    /** Which of the answer's tokens the log-likelihoods sum: those carrying a word the conversation does not hold, or all (an answer with no such word). */
    scope: { enum: ["new_words", "all"] },
    scored_tokens: int,
    /** log p(answer's scored tokens | full prompt), nats */
    log_prob: measured,
    forward_passes: int,
    seconds: num,
    /** CPU seconds of all the worker's threads: the cost apart from waiting for a core on a shared machine. */
    cpu_seconds: num,
    /** In the order of `sources.passages`. */
    passages: { type: "array", items: passageEffectSchema },
  },
  required: [
    "adapter",
    "method",
    "answer_tokens",
    "scope",
    "scored_tokens",
    "log_prob",
    "forward_passes",
    "seconds",
    "cpu_seconds",
    "passages",
  ],
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
      items: {
        type: "object",
        properties: { contribution: str, score: num },
        required: ["contribution", "score"],
        additionalProperties: false,
      },
    },
    seconds: num,
  },
  required: ["adapter", "answer_tokens", "ranking", "seconds"],
  additionalProperties: false,
} as const satisfies JSONSchema;

export type GenerateResult = FromSchema<typeof generateResultSchema>;
export type PassageEffect = FromSchema<typeof passageEffectSchema>;
export type AttributeResult = FromSchema<typeof attributeResultSchema>;
export type InfluenceIndexResult = FromSchema<typeof influenceIndexResultSchema>;
export type InfluenceResult = FromSchema<typeof influenceResultSchema>;
