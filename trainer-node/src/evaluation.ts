// Turns the worker's `load`, `train` and `evaluate` results into the evaluation report stored at
// the model's metricsURI (sdk EvaluationReport), the document the GUI's report screen reads.
// Every number is one the worker sent: a missing or non-finite value the report needs is a
// WorkerProtocolError naming the field (the job fails with it), never a default. A value that is
// legitimately absent (no eval loss, no scorable samples) is null in the report.
import type { DataInsights, EvaluationReport, MemoryEstimate, RougeScores, TrainingSpec } from "@modelfactory/sdk";
import type { EvaluateResult, GenerationMetrics, InsightsResult, LoadResult, MemoryReport, TrainResult } from "./worker-protocol.ts";
import { WorkerProtocolError } from "./worker-schema.ts";

const MB = 1024 * 1024;

/** `value` when it is a finite number; else a WorkerProtocolError naming `field`. */
function finite(value: number | null | undefined, field: string): number {
  if (value === undefined) throw new WorkerProtocolError(field, "is missing");
  if (value === null || !Number.isFinite(value)) throw new WorkerProtocolError(field, "is not a finite number (null)");
  return value;
}

const bytes = (mb: number) => Math.round(mb * MB);

function estimate(e: MemoryReport["this_model"] | MemoryReport["llama_7b"]): MemoryEstimate {
  return { parameters: e.parameters, full: bytes(e.full_mb), lora: bytes(e.lora_mb), qlora: bytes(e.qlora_mb) };
}

/** BLEU and ROUGE of one side; null when the worker had no prompt/reference pair to score. */
function scores(g: GenerationMetrics | undefined, field: string): { bleu: number | null; rouge: RougeScores | null } {
  if (!g) throw new WorkerProtocolError(field, "is missing");
  if (g.samples === 0) return { bleu: null, rouge: null };
  return {
    bleu: finite(g.bleu, `${field}.bleu`),
    rouge: {
      rouge1: finite(g.rouge1, `${field}.rouge1`),
      rouge2: finite(g.rouge2, `${field}.rouge2`),
      rougeL: finite(g.rougeL, `${field}.rougeL`),
    },
  };
}

/** Stored bits per weight: measured by `load` for a quantized (QLoRA) base, else the weights' width. */
function bitsPerParameter(method: TrainingSpec["method"], loaded: LoadResult, memory: MemoryReport): number {
  if (method !== "qlora") return memory.this_model.bytes_per_weight * 8;
  if (loaded.quantization !== "nf4")
    throw new WorkerProtocolError("load.quantization", `is "${loaded.quantization}" for a QLoRA job (expected "nf4")`);
  return finite(loaded.quantized.bits_per_parameter, "load.quantized.bits_per_parameter");
}

/**
 * The worker's insights with each contribution's Datanet; a contribution the job did not read, or
 * a missing Datanet, is a protocol error (it would put a made-up row in the report).
 */
function dataInsights(insights: InsightsResult, datanetOf: ReadonlyMap<string, string>): DataInsights {
  return {
    rule: insights.rule,
    zThreshold: insights.z_threshold,
    minGapNats: insights.min_gap_nats,
    minContributions: insights.min_contributions,
    maxTrainRecords: insights.max_train_records,
    contributions: insights.contributions.map((c, i) => {
      const datanetId = datanetOf.get(c.id);
      if (datanetId === undefined)
        throw new WorkerProtocolError(`evaluate.insights.contributions[${i}].id`, `is ${c.id}, not a contribution of this job`);
      const side = (s: typeof c.train) => (s ? { records: s.records, tokens: s.tokens, loss: s.loss } : null);
      return {
        contributionId: c.id,
        datanetId,
        train: side(c.train),
        heldOut: side(c.held_out),
        trainZ: c.train_z,
        heldOutZ: c.held_out_z,
        flagged: c.flagged,
      };
    }),
  };
}

export type EvaluationInput = {
  jobId: string;
  spec: TrainingSpec;
  /** The worker's results of this job's `load` (the base model), `train` and `evaluate`. */
  loaded: LoadResult;
  trained: TrainResult;
  evaluated: EvaluateResult;
  counts: EvaluationReport["counts"];
  /** Contribution id -> its Datanet id, for the data insights (when the evaluation asked for them). */
  contributionDatanets?: ReadonlyMap<string, string>;
};

/** The evaluation report of a job; throws WorkerProtocolError when a value it needs is missing. */
export function toEvaluationReport(input: EvaluationInput): EvaluationReport {
  const { loaded, trained, evaluated } = input;
  const memory = trained.memory;
  const { measured } = memory;
  const tensors = measured.tensors;
  const tunedPerplexity = evaluated.perplexity_tuned;
  if (!tunedPerplexity) throw new WorkerProtocolError("evaluate.perplexity_tuned", "is missing (no adapter was evaluated)");
  const base = scores(evaluated.generation_base, "evaluate.generation_base");
  const tuned = scores(evaluated.generation_tuned, "evaluate.generation_tuned");
  const baseExamples = evaluated.generation_base?.examples ?? [];
  const tunedExamples = evaluated.generation_tuned?.examples ?? [];
  return {
    schema: "modelfactory.metrics/1",
    jobId: input.jobId,
    baseModel: input.spec.baseModel,
    method: input.spec.method,
    perplexity: {
      base: finite(evaluated.perplexity_base.perplexity, "evaluate.perplexity_base.perplexity"),
      tuned: finite(tunedPerplexity.perplexity, "evaluate.perplexity_tuned.perplexity"),
    },
    bleu: { base: base.bleu, tuned: tuned.bleu },
    rouge: { base: base.rouge, tuned: tuned.rouge },
    memory: {
      device: loaded.device,
      measuredPeakBytes: bytes(measured.training_peak_mb),
      breakdown: {
        parameters: bytes(tensors.trainable_params + tensors.frozen_params + tensors.buffers),
        trainable: bytes(tensors.trainable_params),
        optimizer: bytes(tensors.optimizer),
        activations: bytes(memory.activations_per_token_mb * memory.this_model.tokens_per_micro_batch),
      },
      bitsPerParameter: bitsPerParameter(input.spec.method, loaded, memory),
      thisModel: estimate(memory.this_model),
      sevenB: estimate(memory.llama_7b),
    },
    training: {
      steps: trained.step,
      epochs: input.spec.hyperparameters.epochs,
      trainTokens: trained.tokens,
      seconds: trained.seconds,
      tokensPerSecond: trained.tokens_per_s,
      ...(trained.compute !== undefined ? { compute: trained.compute } : {}),
      finalLoss: finite(trained.final_loss, "train.final_loss"),
      finalEvalLoss: trained.eval_loss,
      evalLosses: trained.eval_losses.map(([step, loss]) => [step, loss ?? null] as [number, number | null]),
      // The published weights are the best evaluation's: which step, its loss, and why the run ended there.
      best: trained.best
        ? {
            step: trained.best.step,
            evalLoss: finite(trained.best.eval_loss, "train.best.eval_loss"),
            stoppedEarly: trained.best.stopped_early,
            reason: trained.best.reason,
          }
        : null,
    },
    counts: input.counts,
    samples: baseExamples.map((b, i) => {
      const t = tunedExamples[i];
      if (!t || t.prompt !== b.prompt)
        throw new WorkerProtocolError(
          `evaluate.generation_tuned.examples[${i}]`,
          `does not answer the prompt of evaluate.generation_base.examples[${i}]`,
        );
      return { prompt: b.prompt, reference: b.reference, base: b.prediction, tuned: t.prediction };
    }),
    ...(evaluated.insights ? { dataInsights: dataInsights(evaluated.insights, input.contributionDatanets ?? new Map()) } : {}),
  };
}
