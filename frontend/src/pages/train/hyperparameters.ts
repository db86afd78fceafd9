// Hyperparameters of a fine-tuning spec: presets, one-line explanations, validation, and the
// spec document itself (whose sha256 goes on chain with createJob).
import type { FineTuneMethod, LrScheduler, TrainingSpec } from "@modelfactory/sdk";

export type Hyperparameters = TrainingSpec["hyperparameters"];

export const HYPERPARAMETER_HELP: Record<string, string> = {
  learningRate: "How big each update is; too high diverges, too low learns slowly. LoRA usually wants 1e-4 to 3e-4.",
  batchSize: "Examples per step on the device; bounded by memory.",
  gradientAccumulation: "Steps whose gradients are summed before an update; effective batch = batch size × this.",
  epochs: "Passes over the training data; more fits the data closer but may overfit small Datanets.",
  maxLength: "Longest example in tokens; longer ones are truncated. Memory grows with it.",
  warmupRatio: "Fraction of steps over which the learning rate ramps up from zero, for a stable start.",
  scheduler: "How the learning rate decays after warm-up: cosine, linear, or constant.",
  weightDecay: "Pulls weights toward zero to regularise; 0 is common for LoRA.",
  seed: "Makes shuffling and initialisation reproducible.",
  rank: "LoRA rank r: size of the low-rank update; higher learns more and costs more memory.",
  alpha: "LoRA scaling α; the update is scaled by α / r. Often 2 × rank.",
  dropout: "Dropout on the LoRA path; regularises small datasets.",
  targets: "Which projection layers get adapters (attention q/k/v/o, MLP up/down/gate).",
  evalFraction: "Share of contributions held out to evaluate the model (split by contribution).",
};

export const PRESETS: Record<"quick" | "balanced" | "thorough", { label: string; description: string; hp: Hyperparameters }> = {
  quick: {
    label: "Quick",
    description: "One epoch, small rank: a fast first look.",
    hp: { learningRate: 3e-4, batchSize: 4, gradientAccumulation: 1, epochs: 1, maxLength: 512, warmupRatio: 0.05, scheduler: "cosine", weightDecay: 0, seed: 42, lora: { rank: 8, alpha: 16, dropout: 0.05, targets: ["q_proj", "v_proj"] } },
  },
  balanced: {
    label: "Balanced",
    description: "Three epochs, rank 16 on attention: a sensible default.",
    hp: { learningRate: 2e-4, batchSize: 4, gradientAccumulation: 4, epochs: 3, maxLength: 1024, warmupRatio: 0.03, scheduler: "cosine", weightDecay: 0, seed: 42, lora: { rank: 16, alpha: 32, dropout: 0.05, targets: ["q_proj", "k_proj", "v_proj", "o_proj"] } },
  },
  thorough: {
    label: "Thorough",
    description: "More epochs, rank 64 on attention and MLP: best fit, most memory.",
    hp: { learningRate: 1e-4, batchSize: 8, gradientAccumulation: 4, epochs: 5, maxLength: 2048, warmupRatio: 0.03, scheduler: "cosine", weightDecay: 0.01, seed: 42, lora: { rank: 64, alpha: 128, dropout: 0.1, targets: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] } },
  },
};

export const TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
export const SCHEDULERS: LrScheduler[] = ["cosine", "linear", "constant"];

export type HyperparameterErrors = Partial<Record<string, string>>;

export function validateHyperparameters(hp: Hyperparameters, evalFraction: number): HyperparameterErrors {
  const e: HyperparameterErrors = {};
  const within = (key: string, v: number, lo: number, hi: number, int = false) => {
    if (!Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) e[key] = `Use ${int ? "a whole number " : ""}from ${lo} to ${hi}.`;
  };
  within("learningRate", hp.learningRate, 1e-7, 1e-2);
  within("batchSize", hp.batchSize, 1, 512, true);
  within("gradientAccumulation", hp.gradientAccumulation, 1, 256, true);
  within("epochs", hp.epochs, 1, 100, true);
  within("maxLength", hp.maxLength, 16, 32768, true);
  within("warmupRatio", hp.warmupRatio, 0, 0.5);
  within("weightDecay", hp.weightDecay, 0, 1);
  within("seed", hp.seed, 0, 2 ** 31 - 1, true);
  within("rank", hp.lora.rank, 1, 512, true);
  within("alpha", hp.lora.alpha, 1, 2048);
  within("dropout", hp.lora.dropout, 0, 0.9);
  within("evalFraction", evalFraction, 0.01, 0.5);
  if (hp.lora.targets.length === 0) e.targets = "Choose at least one target module.";
  return e;
}

export type SpecInput = { name: string; description: string; baseModel: string; method: FineTuneMethod; datanetIds: string[]; hyperparameters: Hyperparameters; evalFraction: number };

/** The spec document, Datanet ids sorted ascending as createJob requires. */
export function buildSpec(input: SpecInput): TrainingSpec {
  return {
    schema: "modelfactory.spec/1",
    name: input.name.trim(),
    description: input.description.trim(),
    baseModel: input.baseModel,
    method: input.method,
    datanetIds: [...new Set(input.datanetIds)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0)),
    hyperparameters: input.hyperparameters,
    evalFraction: input.evalFraction,
  };
}

/** The spec's exact bytes (what is stored and hashed). */
export function specBytes(spec: TrainingSpec): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(spec)}\n`);
}

export async function sha256Hex(bytes: Uint8Array): Promise<`0x${string}`> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `0x${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
