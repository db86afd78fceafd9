// Training specs: the presets the train wizard offers and the validation both the GUI (before
// `createJob`) and the trainer node (after fetching the spec) apply, so a spec one accepts the
// other accepts too.
import { InvalidInputError } from "../errors.ts";
import type { TrainingSpec } from "./types.ts";

type Hyper = TrainingSpec["hyperparameters"];

/** Presets with every key explained; `balanced` is the default. */
export const SPEC_PRESETS: Record<"quick" | "balanced" | "thorough", { label: string; description: string; hyperparameters: Hyper }> = {
  quick: {
    label: "Quick",
    description: "One pass at a higher learning rate: a first look in minutes.",
    hyperparameters: { learningRate: 3e-4, batchSize: 8, gradientAccumulation: 1, epochs: 1, maxLength: 256, warmupRatio: 0.05, scheduler: "cosine", weightDecay: 0, seed: 42, lora: { rank: 8, alpha: 16, dropout: 0, targets: ["all-linear"] } },
  },
  balanced: {
    label: "Balanced",
    description: "Three passes, rank 16 on every linear layer: the usual starting point.",
    hyperparameters: { learningRate: 2e-4, batchSize: 8, gradientAccumulation: 1, epochs: 3, maxLength: 512, warmupRatio: 0.05, scheduler: "cosine", weightDecay: 0, seed: 42, lora: { rank: 16, alpha: 32, dropout: 0.05, targets: ["all-linear"] } },
  },
  thorough: {
    label: "Thorough",
    description: "More passes at a lower rate with a larger rank, for larger Datanets.",
    hyperparameters: { learningRate: 1e-4, batchSize: 8, gradientAccumulation: 2, epochs: 5, maxLength: 1024, warmupRatio: 0.1, scheduler: "cosine", weightDecay: 0.01, seed: 42, lora: { rank: 32, alpha: 64, dropout: 0.05, targets: ["all-linear"] } },
  },
};

/** One line per hyperparameter, for the wizard's help text. */
export const HYPERPARAMETER_HELP: Record<keyof Hyper | "lora.rank" | "lora.alpha" | "lora.dropout" | "lora.targets", string> = {
  learningRate: "How far each step moves the adapter; too high diverges, too low learns nothing.",
  batchSize: "Examples per step; larger is smoother but needs more memory.",
  gradientAccumulation: "Steps summed before each update: a larger effective batch without more memory.",
  epochs: "Passes over the training data.",
  maxLength: "Longest example in tokens; longer ones are truncated.",
  warmupRatio: "Share of steps spent ramping the learning rate up from zero.",
  scheduler: "How the learning rate decays after warm-up: cosine, linear or constant.",
  weightDecay: "Pulls weights towards zero to reduce overfitting.",
  seed: "Fixes shuffling and initialisation so a run can be reproduced.",
  lora: "LoRA adapter shape.",
  "lora.rank": "Size of the low-rank update: more capacity, more memory.",
  "lora.alpha": "Scale of the update (alpha / rank multiplies it).",
  "lora.dropout": "Randomly drops adapter inputs while training, against overfitting.",
  "lora.targets": "Layers that get adapters; all-linear adapts every linear layer.",
};

const TARGET = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Validates a parsed spec document and returns it typed, or throws an InvalidInputError that
 * names the bad field and its allowed range.
 */
export function parseTrainingSpec(raw: unknown): TrainingSpec {
  const fail = (field: string, rule: string): never => {
    throw new InvalidInputError(`Invalid training spec: "${field}" ${rule}.`, { code: "SPEC_INVALID", meta: { field } });
  };
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== "object" || Array.isArray(o)) fail("spec", "must be a JSON object");
  if (o.schema !== "modelfactory.spec/1") fail("schema", 'must be "modelfactory.spec/1"');
  const str = (v: unknown, field: string, max: number, min = 0): string => {
    if (typeof v !== "string" || v.length < min || v.length > max) fail(field, `must be a string of ${min}–${max} characters`);
    return v as string;
  };
  const num = (v: unknown, field: string, min: number, max: number, integer = false): number => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      fail(field, `must be ${integer ? "an integer" : "a number"} from ${min} to ${max}`);
    }
    return v as number;
  };
  const baseModel = str(o.baseModel, "baseModel", 200, 1);
  if (!/^[A-Za-z0-9_.-]+$/.test(baseModel)) fail("baseModel", "may only contain letters, digits, '.', '_' and '-'");
  if (o.method !== "lora" && o.method !== "qlora") fail("method", 'must be "lora" or "qlora"');
  if (!Array.isArray(o.datanetIds) || o.datanetIds.length === 0 || o.datanetIds.length > 16) fail("datanetIds", "must list 1 to 16 Datanet ids");
  const ids = (o.datanetIds as unknown[]).map((id, i) => {
    if (typeof id !== "string" || !/^[1-9]\d{0,30}$/.test(id)) fail(`datanetIds[${i}]`, "must be a positive decimal string");
    return BigInt(id as string);
  });
  ids.forEach((id, i) => i > 0 && id <= ids[i - 1]! && fail("datanetIds", "must be strictly increasing"));
  const h = o.hyperparameters as Record<string, unknown>;
  if (!h || typeof h !== "object") fail("hyperparameters", "must be an object");
  const lora = h.lora as Record<string, unknown>;
  if (!lora || typeof lora !== "object") fail("hyperparameters.lora", "must be an object");
  if (!Array.isArray(lora.targets) || lora.targets.length === 0 || lora.targets.length > 32 || !lora.targets.every((t) => typeof t === "string" && TARGET.test(t))) {
    fail("hyperparameters.lora.targets", 'must list 1–32 module names (e.g. "q_proj") or "all-linear"');
  }
  if (!["cosine", "linear", "constant"].includes(h.scheduler as string)) fail("hyperparameters.scheduler", 'must be "cosine", "linear" or "constant"');
  return {
    schema: "modelfactory.spec/1",
    name: str(o.name, "name", 200, 1),
    description: str(o.description ?? "", "description", 5000),
    baseModel,
    method: o.method as TrainingSpec["method"],
    datanetIds: o.datanetIds as string[],
    evalFraction: num(o.evalFraction, "evalFraction", 0, 0.5),
    hyperparameters: {
      learningRate: num(h.learningRate, "hyperparameters.learningRate", 1e-7, 1),
      batchSize: num(h.batchSize, "hyperparameters.batchSize", 1, 1024, true),
      gradientAccumulation: num(h.gradientAccumulation, "hyperparameters.gradientAccumulation", 1, 1024, true),
      epochs: num(h.epochs, "hyperparameters.epochs", 1, 100, true),
      maxLength: num(h.maxLength, "hyperparameters.maxLength", 16, 131072, true),
      warmupRatio: num(h.warmupRatio, "hyperparameters.warmupRatio", 0, 0.5),
      scheduler: h.scheduler as TrainingSpec["hyperparameters"]["scheduler"],
      weightDecay: num(h.weightDecay, "hyperparameters.weightDecay", 0, 1),
      seed: num(h.seed, "hyperparameters.seed", 0, 2 ** 31 - 1, true),
      lora: {
        rank: num(lora.rank, "hyperparameters.lora.rank", 1, 1024, true),
        alpha: num(lora.alpha, "hyperparameters.lora.alpha", 0.01, 4096),
        dropout: num(lora.dropout, "hyperparameters.lora.dropout", 0, 0.9),
        targets: lora.targets as string[],
      },
    },
  };
}

/** The spec's canonical bytes (what is stored, hashed with sha256 and put on chain). */
export function serializeTrainingSpec(spec: TrainingSpec): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(parseTrainingSpec(spec)) + "\n");
}
