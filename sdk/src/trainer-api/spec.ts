// Training specs: the presets and one-line help the train wizard offers, the one table of rules
// both the GUI (before `createJob`) and the trainer node (after fetching the spec) apply, and the
// spec document's exact bytes (whose sha256 goes on chain). One implementation, so a spec one
// side accepts the other accepts too.
import { InvalidInputError } from "../errors.ts";
import type { FineTuneMethod, TrainingSpec } from "./types.ts";

export type Hyperparameters = TrainingSpec["hyperparameters"];
export const SPEC_SCHEMA = "modelfactory.spec/1";

/** Module names a LoRA adapter can target in LLaMA-family models; "all-linear" adapts every linear layer. */
export const LORA_TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] as const;
export const ALL_LINEAR = "all-linear";
export const LR_SCHEDULERS = ["cosine", "linear", "constant"] as const;

/** Presets with every key explained; `balanced` is the default. */
export const SPEC_PRESETS: Record<
  "quick" | "balanced" | "thorough",
  { label: string; description: string; hyperparameters: Hyperparameters }
> = {
  quick: {
    label: "Quick",
    description: "One pass at a higher learning rate: a first look in minutes.",
    hyperparameters: {
      learningRate: 3e-4,
      batchSize: 8,
      gradientAccumulation: 1,
      epochs: 1,
      maxLength: 256,
      warmupRatio: 0.05,
      scheduler: "cosine",
      weightDecay: 0,
      seed: 42,
      lora: { rank: 8, alpha: 16, dropout: 0, targets: [ALL_LINEAR] },
    },
  },
  balanced: {
    label: "Balanced",
    description: "Three passes, rank 16 on every linear layer: the usual starting point.",
    hyperparameters: {
      learningRate: 2e-4,
      batchSize: 8,
      gradientAccumulation: 1,
      epochs: 3,
      maxLength: 512,
      warmupRatio: 0.05,
      scheduler: "cosine",
      weightDecay: 0,
      seed: 42,
      lora: { rank: 16, alpha: 32, dropout: 0.05, targets: [ALL_LINEAR] },
    },
  },
  thorough: {
    label: "Thorough",
    description: "More passes at a lower rate with a larger rank, for larger Datanets.",
    hyperparameters: {
      learningRate: 1e-4,
      batchSize: 8,
      gradientAccumulation: 2,
      epochs: 5,
      maxLength: 1024,
      warmupRatio: 0.1,
      scheduler: "cosine",
      weightDecay: 0.01,
      seed: 42,
      lora: { rank: 32, alpha: 64, dropout: 0.05, targets: [ALL_LINEAR] },
    },
  },
};

/** Field paths of a spec's tunable values, as problems and help texts name them. */
export type SpecField =
  | `hyperparameters.${Exclude<keyof Hyperparameters, "lora">}`
  | `hyperparameters.lora.${keyof Hyperparameters["lora"]}`
  | "evalFraction";

/** One line per tunable field, for the wizard's help text. */
export const HYPERPARAMETER_HELP: Record<SpecField, string> = {
  "hyperparameters.learningRate":
    "How far each step moves the adapter; too high diverges, too low learns nothing. LoRA usually wants 1e-4 to 3e-4.",
  "hyperparameters.batchSize": "Examples per step; larger is smoother but needs more memory.",
  "hyperparameters.gradientAccumulation":
    "Steps summed before each update: a larger effective batch (batch size × this) without more memory.",
  "hyperparameters.epochs": "Passes over the training data; more fits closer but may overfit a small Datanet.",
  "hyperparameters.maxLength": "Longest example in tokens; longer ones are truncated. Memory grows with it.",
  "hyperparameters.warmupRatio": "Share of steps spent ramping the learning rate up from zero, for a stable start.",
  "hyperparameters.scheduler": "How the learning rate decays after warm-up: cosine, linear or constant.",
  "hyperparameters.weightDecay": "Pulls weights towards zero to reduce overfitting; 0 is common for LoRA.",
  "hyperparameters.seed": "Fixes shuffling and initialisation so a run can be reproduced.",
  "hyperparameters.lora.rank": "Size of the low-rank update: more capacity, more memory.",
  "hyperparameters.lora.alpha": "Scale of the update (alpha / rank multiplies it); often 2 × rank.",
  "hyperparameters.lora.dropout": "Randomly drops adapter inputs while training, against overfitting.",
  "hyperparameters.lora.targets": "Layers that get adapters; all-linear adapts every linear layer.",
  "hyperparameters.evalEvery": "Steps between held-out evaluations drawn on the dashboard; 0 evaluates about ten times per run.",
  "hyperparameters.earlyStoppingPatience":
    "Stop after this many evaluations in a row without improving, and publish the best one; 0 never stops early.",
  "hyperparameters.earlyStoppingMinDelta": "How much an eval loss must beat the best so far to count as an improvement.",
  "hyperparameters.gradientCheckpointing": "Recompute activations during the backward pass: much less memory for about a third more time.",
  evalFraction: "Share held out to evaluate the model: of the contributions, or of every contribution's records (see the split).",
};

/** How the held-out records are chosen (`evalSplit`), in the words the wizard and the report use. */
export const EVAL_SPLITS = {
  contribution: "Whole contributions held out: measures how the model does on material it never saw (new topics).",
  record:
    "A share of every contribution's records held out: measures what the Datanets teach, asked in other words (their facts are trained on).",
} as const;
export type EvalSplit = keyof typeof EVAL_SPLITS;

/** Help for the optional `builderEncryptionKey` (the wizard fills it from the wallet). */
export const BUILDER_ENCRYPTION_KEY_HELP =
  "Your wallet-derived encryption key (X25519, public). When the job trains on a permissioned Datanet, its adapter and sample answers are encrypted; this key lets you open them without asking a key service.";

type NumberRule = { min: number; max: number; integer?: boolean };

/** The allowed range of every numeric field. */
export const SPEC_LIMITS: Record<
  Exclude<SpecField, "hyperparameters.scheduler" | "hyperparameters.lora.targets" | "hyperparameters.gradientCheckpointing">,
  NumberRule
> = {
  "hyperparameters.learningRate": { min: 1e-7, max: 0.1 },
  "hyperparameters.batchSize": { min: 1, max: 1024, integer: true },
  "hyperparameters.gradientAccumulation": { min: 1, max: 1024, integer: true },
  "hyperparameters.epochs": { min: 1, max: 100, integer: true },
  "hyperparameters.maxLength": { min: 16, max: 131072, integer: true },
  "hyperparameters.warmupRatio": { min: 0, max: 0.5 },
  "hyperparameters.weightDecay": { min: 0, max: 1 },
  "hyperparameters.seed": { min: 0, max: 2 ** 31 - 1, integer: true },
  "hyperparameters.lora.rank": { min: 1, max: 1024, integer: true },
  "hyperparameters.lora.alpha": { min: 0.01, max: 4096 },
  "hyperparameters.lora.dropout": { min: 0, max: 0.9 },
  "hyperparameters.evalEvery": { min: 0, max: 1_000_000, integer: true },
  "hyperparameters.earlyStoppingPatience": { min: 0, max: 1000, integer: true },
  "hyperparameters.earlyStoppingMinDelta": { min: 0, max: 10 },
  evalFraction: { min: 0, max: 0.5 },
};

/** Fields a spec may leave out (specs written before they existed keep their bytes and hash). */
const OPTIONAL_FIELDS: ReadonlySet<string> = new Set([
  "hyperparameters.evalEvery",
  "hyperparameters.earlyStoppingPatience",
  "hyperparameters.earlyStoppingMinDelta",
]);

/** One thing wrong with a spec: the field's path and the rule it breaks ("must be …"). */
export type SpecProblem = { field: string; rule: string };

const TARGET = /^[A-Za-z0-9_.-]{1,64}$/;

/** Every problem of a parsed spec document, in field order; empty when it is valid. */
export function specProblems(raw: unknown): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const fail = (field: string, rule: string) => problems.push({ field, rule });
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== "object" || Array.isArray(o)) return [{ field: "spec", rule: "must be a JSON object" }];
  if (o.schema !== SPEC_SCHEMA) fail("schema", `must be "${SPEC_SCHEMA}"`);
  const str = (v: unknown, field: string, max: number, min = 0) => {
    if (typeof v !== "string" || v.length < min || v.length > max) fail(field, `must be a string of ${min}–${max} characters`);
  };
  str(o.name, "name", 200, 1);
  str(o.description ?? "", "description", 5000);
  str(o.baseModel, "baseModel", 200, 1);
  if (typeof o.baseModel === "string" && !/^[A-Za-z0-9_.-]*$/.test(o.baseModel))
    fail("baseModel", "may only contain letters, digits, '.', '_' and '-'");
  if (o.method !== "lora" && o.method !== "qlora") fail("method", 'must be "lora" or "qlora"');
  if (!Array.isArray(o.datanetIds) || o.datanetIds.length === 0 || o.datanetIds.length > 16)
    fail("datanetIds", "must list 1 to 16 Datanet ids");
  else {
    const ids = o.datanetIds as unknown[];
    const bad = ids.findIndex((id) => typeof id !== "string" || !/^[1-9]\d{0,30}$/.test(id));
    if (bad >= 0) fail(`datanetIds[${bad}]`, "must be a positive decimal string");
    else if (ids.some((id, i) => i > 0 && BigInt(id as string) <= BigInt(ids[i - 1] as string)))
      fail("datanetIds", "must be strictly increasing");
  }
  const h = o.hyperparameters as Record<string, unknown>;
  if (!h || typeof h !== "object" || Array.isArray(h)) {
    fail("hyperparameters", "must be an object");
    return problems;
  }
  const lora = h.lora as Record<string, unknown>;
  if (!lora || typeof lora !== "object" || Array.isArray(lora)) fail("hyperparameters.lora", "must be an object");
  const fieldValue = (field: string): unknown => {
    if (field === "evalFraction") return o.evalFraction;
    const [, a, b] = field.split(".");
    return b === undefined ? h[a!] : lora?.[b];
  };
  for (const [field, rule] of Object.entries(SPEC_LIMITS) as [SpecField, NumberRule][]) {
    if (field.startsWith("hyperparameters.lora.") && (!lora || typeof lora !== "object")) continue;
    const v = fieldValue(field);
    if (v === undefined && OPTIONAL_FIELDS.has(field)) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v < rule.min || v > rule.max || (rule.integer && !Number.isInteger(v))) {
      fail(field, `must be ${rule.integer ? "a whole number" : "a number"} from ${rule.min} to ${rule.max}`);
    }
  }
  if (h.gradientCheckpointing !== undefined && typeof h.gradientCheckpointing !== "boolean")
    fail("hyperparameters.gradientCheckpointing", "must be true or false");
  if (!(LR_SCHEDULERS as readonly unknown[]).includes(h.scheduler))
    fail("hyperparameters.scheduler", 'must be "cosine", "linear" or "constant"');
  if (lora && typeof lora === "object") {
    const t = lora.targets;
    if (!Array.isArray(t) || t.length === 0 || t.length > 32 || !t.every((x) => typeof x === "string" && TARGET.test(x))) {
      fail("hyperparameters.lora.targets", 'must list 1–32 module names (e.g. "q_proj") or "all-linear"');
    } else if (t.includes(ALL_LINEAR) && t.length > 1)
      fail("hyperparameters.lora.targets", '"all-linear" already adapts every linear layer: list it alone');
  }
  if (o.evalSplit !== undefined && (typeof o.evalSplit !== "string" || !Object.hasOwn(EVAL_SPLITS, o.evalSplit)))
    fail("evalSplit", 'must be "contribution" or "record", or left out (contribution)');
  if (
    o.builderEncryptionKey !== undefined &&
    (typeof o.builderEncryptionKey !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(o.builderEncryptionKey))
  ) {
    fail("builderEncryptionKey", "must be a 32-byte X25519 public key in hex (0x + 64 hex digits), or left out");
  }
  if (o.continueFrom !== undefined && (typeof o.continueFrom !== "string" || !/^[1-9]\d{0,30}$/.test(o.continueFrom))) {
    fail("continueFrom", "must be the id of the job to continue (a positive decimal string), or left out");
  }
  if (o.retrievalAugmented !== undefined) problems.push(...retrievalAugmentedProblems(o.retrievalAugmented));
  return problems;
}

/** The allowed values of `retrievalAugmented`: at most a context's worth of passages, any share of oracles. */
export const RETRIEVAL_AUGMENTED_LIMITS = {
  passages: { min: 1, max: 8, integer: true },
  oracleShare: { min: 0, max: 1 },
} as const satisfies Record<string, NumberRule>;

/** RAFT's recommended setting (Zhang et al. 2024 train with the oracle in 80 % of examples); as many passages as chat serves. */
export const RETRIEVAL_AUGMENTED_DEFAULT = { passages: 4, oracleShare: 0.8 } as const;

/** Help for the optional `retrievalAugmented` (the wizard's training options). */
export const RETRIEVAL_AUGMENTED_HELP = {
  retrievalAugmented:
    "Train with sources in the prompt, as chat serves them: each training question gets the passages retrieved for it from the job's training data, so the model learns to answer from its sources and to ignore passages that do not answer.",
  passages:
    "Passages retrieved into each training prompt (chat serves 4). More passages make longer examples: raise the max length to fit them.",
  oracleShare:
    "Share of training examples whose own passage is among their sources; the rest get only other passages, so the model also learns to answer when the sources do not help.",
} as const;

function retrievalAugmentedProblems(raw: unknown): SpecProblem[] {
  const r = raw as Record<string, unknown>;
  if (!r || typeof r !== "object" || Array.isArray(r))
    return [{ field: "retrievalAugmented", rule: "must be an object { passages, oracleShare }, or left out" }];
  const problems: SpecProblem[] = [];
  const unknown = Object.keys(r).filter((k) => !Object.hasOwn(RETRIEVAL_AUGMENTED_LIMITS, k));
  if (unknown.length)
    problems.push({
      field: `retrievalAugmented.${unknown[0]}`,
      rule: "is not a setting of retrievalAugmented (it has passages and oracleShare)",
    });
  for (const [key, rule] of Object.entries(RETRIEVAL_AUGMENTED_LIMITS) as [string, NumberRule][]) {
    const v = r[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < rule.min || v > rule.max || (rule.integer && !Number.isInteger(v))) {
      problems.push({
        field: `retrievalAugmented.${key}`,
        rule: `must be ${rule.integer ? "a whole number" : "a number"} from ${rule.min} to ${rule.max}`,
      });
    }
  }
  return problems;
}

/** Help for the optional `continueFrom` (set by "Continue from checkpoint" on a failed or cancelled job). */
export const CONTINUE_FROM_HELP =
  "Continue a failed or cancelled job from its last checkpoint instead of starting over. Only the node that ran it holds the checkpoint, and the settings must stay the same.";

/**
 * What keeps `next` from continuing `earlier` from its checkpoint: one sentence per differing
 * setting, naming it and both values. Empty when it may. The checkpoint holds the optimizer and
 * schedule of `earlier`'s settings, so everything that decides the run must be equal; the name,
 * description and builder key may change.
 */
export function continuationProblems(earlier: TrainingSpec, next: TrainingSpec, earlierJobId: string): string[] {
  const out: string[] = [];
  const show = (v: unknown) => (v === undefined ? "not set" : JSON.stringify(v));
  const same = (field: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${field} is ${show(b)} here but ${show(a)} in job ${earlierJobId}`);
  };
  same("baseModel", earlier.baseModel, next.baseModel);
  same("method", earlier.method, next.method);
  same("datanetIds", earlier.datanetIds, next.datanetIds);
  same("evalFraction", earlier.evalFraction, next.evalFraction);
  same("evalSplit", earlier.evalSplit ?? "contribution", next.evalSplit ?? "contribution");
  // Retrieved passages change every training example the checkpoint's optimizer state was built on.
  same("retrievalAugmented", earlier.retrievalAugmented, next.retrievalAugmented);
  const a = parseTrainingSpec(earlier).hyperparameters;
  const b = parseTrainingSpec(next).hyperparameters;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Hyperparameters>) {
    if (key === "lora")
      for (const k of Object.keys(a.lora) as (keyof Hyperparameters["lora"])[]) same(`hyperparameters.lora.${k}`, a.lora[k], b.lora[k]);
    else same(`hyperparameters.${key}`, a[key], b[key]);
  }
  return out;
}

/**
 * Validates a parsed spec document and returns it typed (keys in canonical order), or throws an
 * InvalidInputError that names the first bad field and its allowed range.
 */
export function parseTrainingSpec(raw: unknown): TrainingSpec {
  const [first] = specProblems(raw);
  if (first)
    throw new InvalidInputError(`Invalid training spec: "${first.field}" ${first.rule}.`, {
      code: "SPEC_INVALID",
      meta: { field: first.field },
    });
  const o = raw as TrainingSpec;
  const h = o.hyperparameters;
  return {
    schema: SPEC_SCHEMA,
    name: o.name,
    description: o.description ?? "",
    baseModel: o.baseModel,
    method: o.method,
    datanetIds: [...o.datanetIds],
    evalFraction: o.evalFraction,
    ...(o.evalSplit !== undefined ? { evalSplit: o.evalSplit } : {}),
    hyperparameters: {
      learningRate: h.learningRate,
      batchSize: h.batchSize,
      gradientAccumulation: h.gradientAccumulation,
      epochs: h.epochs,
      maxLength: h.maxLength,
      warmupRatio: h.warmupRatio,
      scheduler: h.scheduler,
      weightDecay: h.weightDecay,
      seed: h.seed,
      lora: { rank: h.lora.rank, alpha: h.lora.alpha, dropout: h.lora.dropout, targets: [...h.lora.targets] },
      // Optional fields only when set, so a spec without them keeps its canonical bytes and hash.
      ...(h.evalEvery !== undefined ? { evalEvery: h.evalEvery } : {}),
      ...(h.earlyStoppingPatience !== undefined ? { earlyStoppingPatience: h.earlyStoppingPatience } : {}),
      ...(h.earlyStoppingMinDelta !== undefined ? { earlyStoppingMinDelta: h.earlyStoppingMinDelta } : {}),
      ...(h.gradientCheckpointing !== undefined ? { gradientCheckpointing: h.gradientCheckpointing } : {}),
    },
    ...(o.builderEncryptionKey !== undefined
      ? { builderEncryptionKey: o.builderEncryptionKey.toLowerCase() as TrainingSpec["builderEncryptionKey"] }
      : {}),
    ...(o.continueFrom !== undefined ? { continueFrom: o.continueFrom } : {}),
    // Last, and only when set: a spec without it keeps its canonical bytes and hash.
    ...(o.retrievalAugmented !== undefined
      ? { retrievalAugmented: { passages: o.retrievalAugmented.passages, oracleShare: o.retrievalAugmented.oracleShare } }
      : {}),
  };
}

export type BuildTrainingSpecInput = {
  name: string;
  description?: string;
  baseModel: string;
  method: FineTuneMethod;
  /** Any order, duplicates allowed: sorted ascending without duplicates, as `createJob` requires. */
  datanetIds: readonly string[];
  hyperparameters: Hyperparameters;
  evalFraction: number;
  /** How held-out records are chosen; absent: by contribution. */
  evalSplit?: EvalSplit;
  /** The builder's X25519 public key, to seal artifacts of permissioned data to (optional). */
  builderEncryptionKey?: TrainingSpec["builderEncryptionKey"];
  /** The failed or cancelled job to continue from its last checkpoint (optional). */
  continueFrom?: string;
  /** Retrieval-augmented fine-tuning: passages per training prompt and the share that includes the record's own (optional). */
  retrievalAugmented?: TrainingSpec["retrievalAugmented"];
};

/** A spec document from the wizard's choices (not validated: call `specProblems` on it). */
export function buildTrainingSpec(input: BuildTrainingSpecInput): TrainingSpec {
  return {
    schema: SPEC_SCHEMA,
    name: input.name.trim(),
    description: (input.description ?? "").trim(),
    baseModel: input.baseModel,
    method: input.method,
    datanetIds: [...new Set(input.datanetIds)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0)),
    evalFraction: input.evalFraction,
    ...(input.evalSplit !== undefined ? { evalSplit: input.evalSplit } : {}),
    hyperparameters: input.hyperparameters,
    ...(input.builderEncryptionKey !== undefined ? { builderEncryptionKey: input.builderEncryptionKey } : {}),
    ...(input.continueFrom !== undefined ? { continueFrom: input.continueFrom } : {}),
    ...(input.retrievalAugmented !== undefined ? { retrievalAugmented: input.retrievalAugmented } : {}),
  };
}

/** The spec's canonical bytes (what is stored, hashed with sha256 and put on chain). Throws if invalid. */
export function serializeTrainingSpec(spec: TrainingSpec): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(parseTrainingSpec(spec)) + "\n");
}
