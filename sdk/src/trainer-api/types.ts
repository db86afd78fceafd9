// The trainer node's HTTP API as both sides see it: the daemon serves these shapes and the GUI
// (and any client) reads them. Bigints travel as decimal strings, hashes and addresses as hex.
// Documented route by route in docs/trainer-node-api.md.
import type { Address, Hex } from "viem";
import type { Citation, ReceiptDocument } from "../protocol/receipt-document.ts";
import type { ReceiptLeafJson } from "../protocol/receipt-leaf-json.ts";
import type { TrainingInfluence } from "../protocol/training-influence.ts";

export type { Citation, PublicCitation, ReceiptDocument, ReceiptPrivatePart, Span } from "../protocol/receipt-document.ts";
export type { ReceiptLeafJson } from "../protocol/receipt-leaf-json.ts";

/** A base model a node holds in its models folder. */
export type BaseModelInfo = {
  /** Folder name, used in specs (`baseModel`). */
  id: string;
  /** Human name from the model's config or card. */
  name: string;
  /** transformers `model_type` (llama, mistral, qwen2, …). */
  architecture: string;
  parameters: number;
  contextLength: number;
  /** Bytes of the weights on disk. */
  sizeBytes: number;
  /** Fine-tuning methods this node can run on it. */
  methods: FineTuneMethod[];
  /** Whether the tokenizer ships a chat template (else a default one is used). */
  hasChatTemplate: boolean;
};

export type FineTuneMethod = "lora" | "qlora";
export type LrScheduler = "cosine" | "linear" | "constant";

/** GET /health */
export type NodeHealth = {
  ok: boolean;
  version: string;
  operator: Address;
  chainId: number;
  /** The torch device the node's model worker computes on, as the worker reports it ("cpu", "cuda:0"); null until a worker has answered. */
  device: string | null;
  /** Memory a training job may use on that device, in bytes (the GPU's, or the machine's RAM, capped by the node's memory limit); null until a worker has answered. */
  memory: DeviceMemory | null;
  baseModels: BaseModelInfo[];
  /** Model ids (on-chain, decimal) this node serves for chat. */
  servedModels: string[];
  jobsRunning: number;
};

/** A device's memory as the node reports it; `available` is what a job can count on now. */
export type DeviceMemory = {
  kind: "cuda" | "cpu";
  totalBytes: number;
  availableBytes: number;
  /** The node's configured cap (MF_MEMORY_LIMIT_MB) on what a job allocates beyond the worker's own runtime, when one is set; `availableBytes` is at most this plus that runtime. */
  limitBytes: number | null;
};

/** The spec document a builder stores in the content store; its sha256 goes on chain. */
export type TrainingSpec = {
  schema: "modelfactory.spec/1";
  name: string;
  description: string;
  baseModel: string;
  method: FineTuneMethod;
  /** Datanet ids (decimal strings), strictly increasing, as in `createJob`. */
  datanetIds: string[];
  hyperparameters: {
    learningRate: number;
    batchSize: number;
    gradientAccumulation: number;
    epochs: number;
    maxLength: number;
    warmupRatio: number;
    scheduler: LrScheduler;
    weightDecay: number;
    seed: number;
    lora: { rank: number; alpha: number; dropout: number; targets: string[] };
    /** Steps between held-out evaluations; absent or 0: about ten evaluations per run. */
    evalEvery?: number;
    /** Stop after this many evaluations in a row that do not beat the best by more than `earlyStoppingMinDelta`; absent or 0: never stop early. */
    earlyStoppingPatience?: number;
    earlyStoppingMinDelta?: number;
    /** Recompute activations in the backward pass: less memory, about a third more time. */
    gradientCheckpointing?: boolean;
  };
  /** Fraction held out for evaluation: of contributions, or of every contribution's records (`evalSplit`). */
  evalFraction: number;
  /** "contribution" (default when absent): whole contributions held out; "record": a share of each one's records (sdk spec.ts EVAL_SPLITS). */
  evalSplit?: "contribution" | "record";
  /**
   * The builder's X25519 public key (the wallet-derived one, `encryptionKeyMessage`): artifacts of
   * a job over permissioned data (adapter, private samples) are also sealed to it.
   */
  builderEncryptionKey?: Hex;
  /**
   * The id of a failed or cancelled job this one continues from its last checkpoint (on the node
   * that ran it, which must still hold it). Base model, method, Datanets, split and every
   * hyperparameter must equal that job's (`continuationProblems`).
   */
  continueFrom?: string;
  /**
   * Retrieval-augmented fine-tuning (RAFT): every training record's question is given the
   * passages BM25 retrieves for it from the job's training records, in the system message chat
   * serves; the record's own passage (the oracle) in a share `oracleShare` of them, only other
   * passages in the rest. Held-out answers are then measured with retrieved passages too
   * (sdk spec.ts RETRIEVAL_AUGMENTED_HELP).
   */
  retrievalAugmented?: { passages: number; oracleShare: number };
};

/** POST /v1/preflight body. */
export type PreflightRequest = { spec: TrainingSpec };
/** POST /v1/preflight answer: what the builder should know before paying for `createJob`. */
export type PreflightReport = {
  ok: boolean;
  baseModel: BaseModelInfo | null;
  contributions: number;
  records: number;
  tokens: number;
  estimatedSteps: number;
  estimatedSeconds: number;
  memory: MemoryEstimate;
  /** The estimated peak of this spec against the node's device memory, and the changes that would fit; null when the node could not tell its memory. */
  memoryFit: MemoryFit | null;
  /** Per contribution, in the order the job reads them. Absent from nodes that predate it. */
  perContribution?: ContributionInsight[];
  problems: { severity: "error" | "warning" | "info"; message: string }[];
};

/**
 * What pre-flight saw of one contribution. Tokens are estimated (about four characters a token,
 * as the report's total); truncated/dropped use that estimate against the spec's maxLength. An
 * encrypted contribution is counted from its public metadata: `sealed`, and the figures only its
 * text would give are null.
 */
export type ContributionInsight = {
  contributionId: string;
  datanetId: string;
  sealed: boolean;
  records: number;
  tokens: number;
  /** Records longer than maxLength: cut to it when training. */
  truncated: number | null;
  /** Records with no answer token left within maxLength: left out of training. */
  dropped: number | null;
  /** Records whose content is also in another of the job's contributions. */
  duplicates: number | null;
  /** Set when the contribution could not be read (it is then not counted). */
  error?: string;
};

/** Pre-flight's memory check: the spec's estimated peak, what the node has, and alternatives that fit. */
export type MemoryFit = {
  estimatedPeakBytes: number;
  availableBytes: number;
  fits: boolean;
  /** Each a change to the spec (e.g. "QLoRA", "batch size 2", "max length 256") with its estimated peak; only those that fit. */
  alternatives: { change: string; estimatedPeakBytes: number }[];
};

/** Bytes needed for full fine-tuning, LoRA and QLoRA of one model. */
export type MemoryEstimate = {
  parameters: number;
  full: number;
  lora: number;
  qlora: number;
};

export type JobPhase =
  | "created"
  | "claimed"
  | "preparing"
  | "training"
  | "evaluating"
  | "publishing"
  | "completed"
  | "failed"
  | "cancelled";

/** One event of a job's live stream (GET /v1/jobs/:id/events, Server-Sent Events). */
export type JobEvent =
  | { type: "state"; seq: number; at: number; phase: JobPhase; message?: string }
  | {
      type: "progress";
      seq: number;
      at: number;
      step: number;
      totalSteps: number;
      epoch: number;
      loss: number;
      learningRate: number;
      gradNorm: number;
      tokensPerSecond: number;
      mfu: number;
      memoryBytes: number;
      etaSeconds: number;
    }
  | { type: "eval"; seq: number; at: number; step: number; evalLoss: number }
  | { type: "log"; seq: number; at: number; level: "info" | "warn" | "error"; message: string };

/** GET /v1/jobs and /v1/jobs/:id */
export type JobSummary = {
  jobId: string;
  builder: Address;
  phase: JobPhase;
  datanetIds: string[];
  spec: TrainingSpec | null;
  specURI: string;
  snapshotBlock: string;
  createdAt: number;
  updatedAt: number;
  /** Last progress event, if any. */
  progress: Extract<JobEvent, { type: "progress" }> | null;
  failureReason: string | null;
  modelId: string | null;
  metricsURI: string | null;
  adapterCID: string | null;
  manifestRoot: Hex | null;
};

/** ROUGE F-measures. */
export type RougeScores = { rouge1: number; rouge2: number; rougeL: number };

/** The evaluation report stored at a model's `metricsURI`. */
/** The tuned model's loss on one contribution's records of one side of the split. */
export type ContributionSideLoss = { records: number; tokens: number /** Mean token loss, nats. */; loss: number | null };

/**
 * After training, per contribution: how well the published weights fit its records. `train` is a
 * seeded sample of at most `maxTrainRecords` of its training records (the loss "at the end"),
 * `heldOut` its held-out records; either is null when it had none on that side. Numbers and ids
 * only: never record text, so the public report may carry it for permissioned data too.
 */
export type ContributionLossInsight = {
  contributionId: string;
  datanetId: string;
  train: ContributionSideLoss | null;
  heldOut: ContributionSideLoss | null;
  /** Modified z-score (median/MAD) on each side; null with fewer than `minContributions` there. */
  trainZ: number | null;
  heldOutZ: number | null;
  /** Its loss stays far above the rest on a side (see `DataInsights.rule`). */
  flagged: boolean;
};

/** Post-training data insights of a job (evaluation report `dataInsights`). */
export type DataInsights = {
  /** The flagging rule in words. */
  rule: string;
  zThreshold: number;
  minGapNats: number;
  minContributions: number;
  maxTrainRecords: number;
  contributions: ContributionLossInsight[];
};

/**
 * The report's probe of its own model's training influence (trainer-node `influence-probe.ts`):
 * held-out questions, each asked with its reference answer, traced through the job's influence
 * index to the training contributions whose records shaped that answer; a hit is the held-out
 * record's own contribution ranking first. Ids and numbers only, never record text.
 */
export type TrainingInfluenceProbe = {
  /** How the questions were chosen and what a hit means, in words. */
  method: string;
  questions: number;
  /** Share of the questions whose own contribution ranked first (top 3 for `recallAt3`). */
  recallAt1: number;
  recallAt3: number;
  /** Mean seconds of one answer's influence pass. */
  secondsPerAnswer: number;
  /** Per question: its contribution and the rank the index gave it (null: not among the contributions ranked). */
  cases: { contributionId: string; rank: number | null; score: number | null }[];
};

export type EvaluationReport = {
  schema: "modelfactory.metrics/1";
  jobId: string;
  baseModel: string;
  method: FineTuneMethod;
  perplexity: { base: number; tuned: number };
  /** null when no held-out record has a prompt and a reference answer to score. */
  bleu: { base: number | null; tuned: number | null };
  rouge: { base: RougeScores | null; tuned: RougeScores | null };
  memory: {
    /** The torch device the worker trained on, as it reported it ("cpu", "cuda:0"). */
    device: string;
    measuredPeakBytes: number;
    breakdown: { parameters: number; trainable: number; optimizer: number; activations: number };
    /** Stored bits per weight: what the worker measured of the NF4 weights for QLoRA, else the weights' dtype width. */
    bitsPerParameter: number;
    thisModel: MemoryEstimate;
    sevenB: MemoryEstimate;
  };
  training: {
    steps: number;
    epochs: number;
    trainTokens: number;
    seconds: number;
    tokensPerSecond: number;
    /** What the matmuls computed in ("bf16-autocast", "fp32", or a GPU's half dtype). Absent in reports written before it existed. */
    compute?: string;
    finalLoss: number;
    /** Held-out loss of the published weights (the best evaluation's). */
    finalEvalLoss: number | null;
    /** [step, held-out loss] of each evaluation during training. Absent in reports written before it existed. */
    evalLosses?: [number, number | null][];
    /** The evaluation whose weights were published and why the run ended where it did; null without held-out data. */
    best?: { step: number; evalLoss: number; stoppedEarly: boolean; reason: string } | null;
  };
  /** `heldOut` is false when a single contribution forced evaluation on the training data. */
  counts: { contributions: number; trainRecords: number; evalRecords: number; heldOut: boolean };
  /** How the held-out records were chosen (the spec's `evalSplit`) and what that means for the numbers. */
  split?: { method: "contribution" | "record"; paraphraseShare: number | null; description: string };
  samples: { prompt: string; reference: string; base: string; tuned: string }[];
  /** Why `samples` is empty although the run was evaluated (e.g. the data is permissioned). */
  samplesWithheld?: string;
  /**
   * For permissioned data: the samples, sealed (sdk/ENVELOPE.md "Sealed model artifacts") for the
   * job's Datanets' keys and the builder's key; `cid` is the envelope's, `count` how many it holds,
   * `sha256` and `sampleHashes` the commitment a reader checks them against
   * (`openPrivateSamples`; absent in reports written before it existed).
   */
  privateSamples?: {
    cid: string;
    schema: "modelfactory.private-samples/1";
    count: number;
    sha256?: `0x${string}`;
    sampleHashes?: `0x${string}`[];
  };
  /** Per-contribution losses after training, with the contributions that trained worst flagged. Absent in older reports. */
  dataInsights?: DataInsights;
  /** Training influence probed on held-out questions; absent without an influence index or held-out questions, and in older reports. */
  trainingInfluenceProbe?: TrainingInfluenceProbe;
};

/** GET /v1/receipts/:receiptId */
export type ReceiptStatus = {
  receipt: ReceiptDocument;
  /** The leaf's fields, bigints as strings. */
  leaf: ReceiptLeafJson;
  status: "pending" | "posted";
  batchId: string | null;
  root: Hex | null;
  proof: Hex[] | null;
  transactionHash: Hex | null;
};

/** The `modelfactory` extension on chat completion responses (and the last stream chunk). */
export type ChatAttribution = {
  /** The answer's receipt; null for the base model (`model-<id>:base`), which posts none. */
  receiptId: Hex | null;
  modelId: string;
  citations: Citation[];
  /**
   * Training contributions that shaped the answer through fine-tuning (by training influence),
   * best first, at most MAX_TRAINING_INFLUENCES; only from Datanets the caller may retrieve from.
   */
  trainingInfluences: TrainingInfluence[];
  /** Why `trainingInfluences` is empty when it was not measured (no index, base model, no access, a failure). */
  trainingInfluenceNote?: string;
};

/** Error body of every failing route. */
export type ApiError = { error: { code: string; message: string } };

/** POST /auth/verify answer. */
export type AuthSession = { token: string; address: Address; expiresAt: number };
