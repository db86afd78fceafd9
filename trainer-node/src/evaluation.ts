// Turns the worker's `train` and `evaluate` results into the evaluation report stored at the
// model's metricsURI (sdk EvaluationReport), the document the GUI's report screen reads.
import type { EvaluationReport, RougeScores, TrainingSpec } from "@modelfactory/sdk";

const MB = 1024 * 1024;
type Obj = Record<string, unknown>;

const num = (v: unknown, fallback = 0): number => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

function rouge(g: Obj): RougeScores {
  return { rouge1: num(g.rouge1), rouge2: num(g.rouge2), rougeL: num(g.rougeL) };
}

function estimate(e: Obj, parameters: number) {
  return { parameters: num(e.parameters, parameters), full: Math.round(num(e.full_mb) * MB), lora: Math.round(num(e.lora_mb) * MB), qlora: Math.round(num(e.qlora_mb) * MB) };
}

export type EvaluationInput = {
  jobId: string;
  spec: TrainingSpec;
  device: "cpu" | "cuda";
  trained: Obj;
  evaluated: Obj;
  counts: EvaluationReport["counts"];
  /** Prompts of the evaluated samples, in the order the worker generated them. */
  prompts?: string[];
};

export function toEvaluationReport(input: EvaluationInput): EvaluationReport {
  const { trained, evaluated } = input;
  const genBase = obj(evaluated.generation_base);
  const genTuned = obj(evaluated.generation_tuned);
  const memory = obj(evaluated.memory ?? trained.memory);
  const measured = obj(memory.measured);
  const tensors = obj(measured.tensors);
  const thisModel = obj(memory.this_model);
  const sevenB = obj(memory.llama_7b);
  const baseExamples = Array.isArray(genBase.examples) ? (genBase.examples as Obj[]) : [];
  const tunedExamples = Array.isArray(genTuned.examples) ? (genTuned.examples as Obj[]) : [];
  const evalLosses = Array.isArray(trained.eval_losses) ? (trained.eval_losses as unknown[][]) : [];
  const parameters = num(thisModel.parameters);
  const quantized = obj(trained.quantized);
  return {
    schema: "modelfactory.metrics/1",
    jobId: input.jobId,
    baseModel: input.spec.baseModel,
    method: input.spec.method,
    perplexity: { base: num(obj(evaluated.perplexity_base).perplexity), tuned: num(obj(evaluated.perplexity_tuned).perplexity) },
    bleu: { base: num(genBase.bleu), tuned: num(genTuned.bleu) },
    rouge: { base: rouge(genBase), tuned: rouge(genTuned) },
    memory: {
      device: input.device,
      measuredPeakBytes: Math.round(num(measured.training_peak_mb, num(measured.cuda_peak_mb, num(measured.peak_rss_mb))) * MB),
      breakdown: {
        parameters: Math.round((num(tensors.trainable_params) + num(tensors.frozen_params) + num(tensors.buffers)) * MB),
        trainable: Math.round(num(tensors.trainable_params) * MB),
        optimizer: Math.round(num(tensors.optimizer) * MB),
        activations: Math.round(num(memory.activations_per_token_mb) * num(thisModel.tokens_per_micro_batch) * MB),
      },
      bitsPerParameter: num(quantized.bits_per_param, input.spec.method === "qlora" ? 4.127 : num(thisModel.bytes_per_weight, 4) * 8),
      thisModel: estimate(thisModel, parameters),
      sevenB: estimate(sevenB, 7e9),
    },
    training: {
      steps: num(trained.step),
      epochs: input.spec.hyperparameters.epochs,
      trainTokens: num(trained.tokens),
      seconds: num(trained.seconds),
      tokensPerSecond: num(trained.tokens_per_s),
      finalLoss: num(trained.final_loss),
      finalEvalLoss: typeof trained.eval_loss === "number" ? trained.eval_loss : evalLosses.length ? num(evalLosses.at(-1)?.[1]) : null,
    },
    counts: input.counts,
    samples: baseExamples.map((b, i) => ({
      prompt: input.prompts?.[i] ?? "",
      reference: String(b.reference ?? ""),
      base: String(b.prediction ?? ""),
      tuned: String(tunedExamples[i]?.prediction ?? ""),
    })),
  };
}
