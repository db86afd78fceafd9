// Will a spec fit this node's memory? The estimated peak of a LoRA/QLoRA run from the base model's
// shape and the spec's batch, length and method, compared with what the node's device has (the
// worker's `info`, capped by MF_MEMORY_LIMIT_MB), and the changes that would make it fit, each
// tried through the same estimate. Pre-flight refuses a spec that does not fit before any
// transaction; a run that still runs out fails on chain with `outOfMemoryReason`.
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { DeviceMemory, MemoryFit, TrainingSpec } from "@modelfactory/sdk";
import { WorkerCommandError, WorkerCrashedError } from "./worker-client.ts";
import type { InfoResult } from "./worker-protocol.ts";

const MB = 1024 * 1024;
/** nf4.py's storage per weight (4 bits + an fp8 scale per 64 + an fp32 scale per 256 blocks), as memory.py. */
const NF4_BITS = 4 + 8 / 64 + 32 / (64 * 256);
/** Share of the device kept free: allocator fragmentation and what the estimate does not see. */
const HEADROOM = 0.1;

/** The shape numbers of a transformers causal LM (config.json) the estimate needs. */
export type ModelShape = {
  hidden: number;
  layers: number;
  intermediate: number;
  vocab: number;
  heads: number;
  kvHeads: number;
  tiedEmbeddings: boolean;
};

/** Reads a model folder's config.json; throws naming the file and the missing key. */
export async function readModelShape(modelDir: string): Promise<ModelShape> {
  const file = path.join(modelDir, "config.json");
  const c = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  const need = (key: string): number => {
    const v = c[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new Error(`${file}: "${key}" is missing or not a positive integer`);
    return v;
  };
  const heads = need("num_attention_heads");
  return {
    hidden: need("hidden_size"),
    layers: need("num_hidden_layers"),
    intermediate: need("intermediate_size"),
    vocab: need("vocab_size"),
    heads,
    kvHeads: typeof c.num_key_value_heads === "number" ? c.num_key_value_heads : heads,
    tiedEmbeddings: c.tie_word_embeddings !== false,
  };
}

export type RunShape = {
  method: "lora" | "qlora";
  batchSize: number;
  maxLength: number;
  gradientCheckpointing: boolean;
  loraRank: number;
  loraDropout: number;
  /** Training tokens the data holds: a packed micro-batch is never longer than all of them. */
  dataTokens: number;
};

/**
 * Estimated peak bytes of one training step. Weights and AdamW state as memory.py's estimate
 * (fp32 moments, fp32 master weights when the weights are 16-bit, NF4 decoder linears for QLoRA).
 * Saved activations per token per layer, in elements: 14·hidden + 2·intermediate + sequence length,
 * plus 4.5·hidden + 3·intermediate with LoRA dropout (its masked input copies); with gradient
 * checkpointing one hidden state per layer plus one layer recomputed. Logits and their gradient in
 * fp32. Coefficients fitted to the worker's ActivationMeter on SmolLM2-135M and the tiny test model
 * (fp32, CPU, all-linear LoRA: within 3 % on both); fewer LoRA targets save less, so this is an
 * upper bound for them. `runtimeBytes` is what the worker process holds before any model (torch).
 */
export function estimatePeakBytes(m: ModelShape, run: RunShape, bytesPerWeight: number, runtimeBytes: number): number {
  const { hidden: h, layers: L, intermediate: i, vocab: V } = m;
  const kv = (h / m.heads) * m.kvHeads;
  // Decoder linears per layer: q, o (h×h), k, v (h×kv), gate, up (h×i), down (i×h).
  const linear = L * (2 * h * h + 2 * h * kv + 3 * h * i);
  const total = linear + V * h * (m.tiedEmbeddings ? 1 : 2) + (2 * L + 1) * h;
  const lora = run.loraRank * L * (2 * (h + h) + 2 * (h + kv) + 2 * (h + i) + (i + h));
  const w = bytesPerWeight;
  const state = 8 + (w < 4 ? 4 : 0);
  const weights = run.method === "qlora" ? (linear * NF4_BITS) / 8 + (total - linear) * w : total * w;
  const adapters = lora * (w + w + state);
  const tokens = Math.max(1, Math.min(run.batchSize * run.maxLength, run.dataTokens));
  const seq = Math.min(run.maxLength, tokens);
  const perLayer = 14 * h + 2 * i + seq + (run.loraDropout > 0 ? 4.5 * h + 3 * i : 0);
  const saved = run.gradientCheckpointing ? (L + 1) * h + perLayer : L * perLayer + h;
  const activations = tokens * (saved * w + 2 * V * 4);
  return Math.round(runtimeBytes + weights + adapters + activations);
}

/** What this node can give a training job, from the worker's `info` and the node's limit. */
export function deviceMemory(info: Pick<InfoResult, "device_memory" | "memory"> | null, limitMb: number | undefined): DeviceMemory | null {
  if (!info) return null;
  const d = info.device_memory;
  // On CPU the machine's available memory changes with everything else it runs: read it now.
  const available = d.kind === "cpu" ? os.freemem() : d.available_mb * MB;
  const total = d.kind === "cpu" ? os.totalmem() : d.total_mb * MB;
  const limit = limitMb !== undefined ? limitMb * MB : null;
  // The worker applies the limit to what it allocates after start-up (server.py), so a job has the
  // limit on top of the worker's own runtime (torch and its libraries, measured by this `info`).
  const capped = limit === null ? Infinity : limit + info.memory.rss_mb * MB;
  return { kind: d.kind, totalBytes: total, availableBytes: Math.min(available, capped), limitBytes: limit };
}

export type FitInput = {
  shape: ModelShape;
  spec: TrainingSpec;
  methods: readonly string[];
  dataTokens: number;
  bytesPerWeight: number;
  runtimeBytes: number;
};

/** The spec's estimated peak against `memory`, and each single change (or, failing those, all of them) that fits. */
export function memoryFit(input: FitInput, memory: DeviceMemory): MemoryFit {
  const h = input.spec.hyperparameters;
  const base: RunShape = {
    method: input.spec.method,
    batchSize: h.batchSize,
    maxLength: h.maxLength,
    gradientCheckpointing: h.gradientCheckpointing ?? false,
    loraRank: h.lora.rank,
    loraDropout: h.lora.dropout,
    dataTokens: input.dataTokens,
  };
  const budget = memory.availableBytes * (1 - HEADROOM);
  const peak = (r: RunShape) => estimatePeakBytes(input.shape, r, input.bytesPerWeight, input.runtimeBytes);
  const estimatedPeakBytes = peak(base);
  const alternatives: MemoryFit["alternatives"] = [];
  const offer = (change: string, r: RunShape) => {
    const p = peak(r);
    if (p <= budget) alternatives.push({ change, estimatedPeakBytes: p });
    return p <= budget;
  };
  if (estimatedPeakBytes > budget) {
    const qlora = base.method === "lora" && input.methods.includes("qlora");
    const any = [
      qlora && offer("QLoRA (4-bit base weights)", { ...base, method: "qlora" }),
      !base.gradientCheckpointing && offer("gradient checkpointing", { ...base, gradientCheckpointing: true }),
      largest(
        base.batchSize,
        (b) => peak({ ...base, batchSize: b }) <= budget,
        (b) => {
          const accumulate = Math.ceil((base.batchSize * h.gradientAccumulation) / b);
          offer(`batch size ${b} (gradient accumulation ${accumulate} keeps the effective batch)`, { ...base, batchSize: b });
        },
      ),
      largest(
        base.maxLength,
        (n) => n >= 16 && peak({ ...base, maxLength: n }) <= budget,
        (n) => offer(`max length ${n} tokens`, { ...base, maxLength: n }),
      ),
    ].some(Boolean);
    if (!any) {
      const all = { ...base, method: qlora ? ("qlora" as const) : base.method, gradientCheckpointing: true, batchSize: 1 };
      offer(`${qlora ? "QLoRA, " : ""}gradient checkpointing and batch size 1 together`, all);
    }
  }
  return { estimatedPeakBytes, availableBytes: memory.availableBytes, fits: estimatedPeakBytes <= budget, alternatives };
}

/** The largest of from/2, from/4, … (down to 1) that `fits`, passed to `use`; false when none does. */
function largest(from: number, fits: (n: number) => boolean, use: (n: number) => void): boolean {
  for (let n = Math.floor(from / 2); n >= 1; n = Math.floor(n / 2)) {
    if (fits(n)) {
      use(n);
      return true;
    }
  }
  return false;
}

/** Bytes as people read them in a sentence: "1.4 GiB", "300 MiB". */
export function formatMiB(bytes: number): string {
  return bytes >= 1024 * MB ? `${(bytes / (1024 * MB)).toFixed(1)} GiB` : `${Math.round(bytes / MB)} MiB`;
}

/** The pre-flight refusal: the estimate, what the node has, and what would fit. */
export function refusalMessage(fit: MemoryFit, memory: DeviceMemory): string {
  const where = memory.kind === "cuda" ? "GPU memory" : "memory";
  const has = `${formatMiB(fit.availableBytes)} of ${where} available${memory.limitBytes !== null ? ` (this node's limit is ${formatMiB(memory.limitBytes)})` : ""}`;
  const head = `This run needs about ${formatMiB(fit.estimatedPeakBytes)} at its peak, but the node has ${has}.`;
  if (!fit.alternatives.length)
    return `${head} Nothing this node can change about the spec fits: pick a smaller base model or another node.`;
  return `${head} What would fit: ${fit.alternatives.map((a) => `${a.change} (about ${formatMiB(a.estimatedPeakBytes)})`).join("; ")}.`;
}

/**
 * The on-chain failure reason of a run that ran out of memory in training or evaluation: the
 * worker's out_of_memory error (Python MemoryError, torch.OutOfMemoryError, a failed CPU
 * allocation), or its process killed with SIGKILL, which on a node that did not kill it is the
 * kernel's out-of-memory killer. undefined for any other error.
 */
export function outOfMemoryReason(error: unknown, phase: string, limitMb: number | undefined): string | undefined {
  const limit = limitMb ? ` (this node caps a job at ${limitMb} MiB)` : "";
  const advice =
    " Try QLoRA, a smaller batch size, a shorter max length or gradient checkpointing; the wizard's pre-flight check names the ones that fit.";
  if (error instanceof WorkerCommandError && error.code === "out_of_memory")
    return `Out of memory while ${phase}${limit}: ${error.shortMessage}.${advice}`;
  if (error instanceof WorkerCrashedError && (error.meta as { signal?: unknown } | undefined)?.signal === "SIGKILL") {
    return `The model worker was killed (SIGKILL) while ${phase}, most likely by the kernel for lack of memory${limit}.${advice}`;
  }
  return undefined;
}
