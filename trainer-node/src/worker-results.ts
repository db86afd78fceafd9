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
 *
 * The schemas live by command group in `worker-results/` (session, training, evaluation, serving,
 * artifacts); this module is the one import point and holds the command → result table.
 */
import {
  type InfoResult,
  type LoadResult,
  type CancelResult,
  type ShutdownResult,
  infoResultSchema,
  loadResultSchema,
  cancelResultSchema,
  shutdownResultSchema,
} from "./worker-results/session.ts";
import { type CountTokensResult, type TrainResult, countTokensResultSchema, trainResultSchema } from "./worker-results/training.ts";
import { type EvaluateResult, evaluateResultSchema } from "./worker-results/evaluation.ts";
import {
  type GenerateResult,
  type AttributeResult,
  type InfluenceIndexResult,
  type InfluenceResult,
  generateResultSchema,
  attributeResultSchema,
  influenceIndexResultSchema,
  influenceResultSchema,
} from "./worker-results/serving.ts";
import { type SaveResult, type ExportResult, saveResultSchema, exportResultSchema } from "./worker-results/artifacts.ts";

export * from "./worker-results/session.ts";
export * from "./worker-results/training.ts";
export * from "./worker-results/evaluation.ts";
export * from "./worker-results/serving.ts";
export * from "./worker-results/artifacts.ts";

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
