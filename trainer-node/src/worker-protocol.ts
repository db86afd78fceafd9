/**
 * Types of the model worker's JSON-lines protocol `modelfactory.worker/1`
 * (trainer-node/worker/PROTOCOL.md is the reference; keep the two in step).
 *
 * The daemon writes one {@link WorkerCommand} per line to the worker's stdin and reads one
 * {@link WorkerEvent} per line from its stdout. Every event about a command echoes its `id`.
 */

export const WORKER_PROTOCOL = 'modelfactory.worker/1' as const

export const WORKER_COMMANDS = [
  'info', 'load', 'count_tokens', 'train', 'evaluate', 'generate', 'save', 'cancel', 'shutdown',
] as const
export type WorkerCommandName = (typeof WORKER_COMMANDS)[number]

export const WORKER_ERROR_CODES = [
  'bad_json', 'bad_request', 'unknown_command', 'unsupported_protocol', 'file_not_found', 'invalid_record',
  'unsupported_model', 'not_loaded', 'unknown_adapter', 'out_of_memory', 'cancelled', 'internal',
] as const
export type WorkerErrorCode = (typeof WORKER_ERROR_CODES)[number]

/** Chosen by the daemon, unique among the commands it has in flight. */
export type CommandId = string | number

interface CommandBase {
  id: CommandId
  /** Optional; a worker speaking another version answers `unsupported_protocol`. */
  protocol?: typeof WORKER_PROTOCOL
}

export type Role = 'system' | 'user' | 'assistant'
export interface ChatMessage { role: Role; content: string }

export interface InfoCommand extends CommandBase { cmd: 'info' }

export interface LoadCommand extends CommandBase {
  cmd: 'load'
  /** Local Hugging Face model folder. Omit to add `adapters` over the loaded base. */
  model?: string
  device?: 'auto' | 'cpu' | `cuda${string}`
  dtype?: 'auto' | 'float32' | 'bfloat16' | 'float16'
  quantization?: 'none' | 'nf4'
  quant_backend?: 'auto' | 'bitsandbytes' | 'cpu'
  gradient_checkpointing?: boolean
  /** name -> PEFT adapter folder */
  adapters?: Record<string, string>
}

export interface CountTokensCommand extends CommandBase {
  cmd: 'count_tokens'
  files?: string[]
  texts?: string[]
  max_seq_len?: number
}

export interface LoraSettings {
  r?: number
  alpha?: number
  dropout?: number
  targets?: 'all-linear' | string[]
  rslora?: boolean
  dora?: boolean
}

export interface TrainConfig {
  method?: 'lora' | 'qlora' | 'full'
  lora?: LoraSettings
  learning_rate?: number
  epochs?: number
  max_steps?: number
  batch_size?: number
  grad_accum?: number
  max_seq_len?: number
  packing?: boolean
  scheduler?: 'cosine' | 'linear' | 'constant'
  warmup_steps?: number
  warmup_ratio?: number
  min_lr_ratio?: number
  weight_decay?: number
  max_grad_norm?: number
  adam_beta1?: number
  adam_beta2?: number
  adam_eps?: number
  seed?: number
  eval_every?: number
  checkpoint_every?: number
  keep_checkpoints?: number
  eval_fraction?: number
  gradient_checkpointing?: boolean
}

export interface TrainCommand extends CommandBase {
  cmd: 'train'
  /** JSONL files of canonical records (`modelfactory.record/1`). */
  data: { train: string; eval?: string }
  output_dir: string
  adapter?: string
  config?: TrainConfig
  /** `"latest"` (newest checkpoint in output_dir, if any) or a checkpoint folder. */
  resume_from?: string | null
  /** Data-parallel training processes (1-64, default 1 = in the worker); > 1: one per GPU, or CPU processes over gloo. */
  processes?: number
}

export interface EvaluateCommand extends CommandBase {
  cmd: 'evaluate'
  data?: string
  adapter?: string | null
  generation?: boolean
  max_samples?: number
  max_new_tokens?: number
  max_seq_len?: number
}

export interface SamplingSettings {
  max_new_tokens?: number
  /** 0 = greedy */
  temperature?: number
  top_p?: number
  /** 0 = off */
  top_k?: number
  stop?: string | string[]
  seed?: number
}

export interface GenerateCommand extends CommandBase, SamplingSettings {
  cmd: 'generate'
  messages?: ChatMessage[]
  prompt?: string
  /** null or absent: the base model without adapters */
  adapter?: string | null
  stream?: boolean
}

export interface SaveCommand extends CommandBase {
  cmd: 'save'
  path: string
  adapter?: string
  merged?: boolean
  full_model?: boolean
}

export interface CancelCommand extends CommandBase { cmd: 'cancel'; target: CommandId }
export interface ShutdownCommand extends CommandBase { cmd: 'shutdown' }

export type WorkerCommand =
  | InfoCommand | LoadCommand | CountTokensCommand | TrainCommand | EvaluateCommand | GenerateCommand
  | SaveCommand | CancelCommand | ShutdownCommand

// ---- results --------------------------------------------------------------------------------

export interface ProcessMemory {
  rss_mb: number
  peak_rss_mb: number
  cuda_allocated_mb?: number
  cuda_peak_mb?: number
}

export interface LoadedModelInfo {
  model: string
  model_type: string
  device: string
  dtype: string
  quantization: 'none' | 'nf4'
  quant_backend: 'bitsandbytes' | 'cpu-nf4' | null
  adapters: string[]
}

export interface InfoResult {
  protocol: typeof WORKER_PROTOCOL
  worker_version: string
  python: string
  torch: string
  transformers: string
  peft: string
  device: string
  cuda_available: boolean
  threads: number
  matmul_peak_gflops: number
  loaded: LoadedModelInfo | null
  memory: ProcessMemory
}

export interface QuantizationReport {
  quantized_parameters: number
  stored_bytes?: number
  bits_per_parameter?: number
  ratio_to_bf16?: number
}

export interface LoadResult extends LoadedModelInfo {
  parameters: { total: number; trainable: number; quantized: number }
  quantized: QuantizationReport
  vocab_size: number
  has_chat_template: boolean
  max_position_embeddings: number | null
  memory: ProcessMemory
}

export interface FileTokenCount {
  path: string
  records: number
  kinds: Partial<Record<'instruction' | 'chat' | 'text', number>>
  tokens: number
  max_tokens: number
  trained_tokens: number
  truncated: number
  dropped: number
}

export interface CountTokensResult { files: FileTokenCount[]; texts?: number[] }

export interface MemoryEstimate {
  parameters: number
  lora_parameters: number
  bytes_per_weight: number
  tokens_per_micro_batch: number
  full_mb: number
  lora_mb: number
  qlora_mb: number
  activations_mb: number
  linear_parameters?: number
}

export interface MemoryReport {
  measured: ProcessMemory & {
    tensors: { trainable_params: number; frozen_params: number; buffers: number; grads: number; optimizer: number }
    training_peak_mb?: number
  }
  activations_per_token_mb: number
  this_model: MemoryEstimate
  llama_7b: MemoryEstimate
  assumptions: string
}

export interface TrainResult {
  status: 'completed' | 'cancelled'
  step: number
  total_steps: number
  final_loss: number | null
  losses: number[]
  eval_loss: number | null
  eval_losses: Array<[number, number]>
  adapter: string | null
  adapter_path?: string
  model_path?: string
  last_checkpoint: string | null
  resumed_from: string | null
  tokens: number
  seconds: number
  tokens_per_s: number
  mfu: number
  data: { train_examples: number; eval_examples: number; dropped: number; truncated: number }
  memory: MemoryReport
  config: Required<Omit<TrainConfig, 'lora'>> & { lora: Required<LoraSettings> }
  /** Present when the command asked for `processes` > 1. */
  processes?: number
}

export interface Perplexity { loss: number; perplexity: number; tokens: number }

export interface GenerationMetrics {
  samples: number
  /** sacreBLEU corpus BLEU, 13a tokenization, 0-100 */
  bleu?: number
  /** rouge-score F1, 0-1 */
  rouge1?: number
  rouge2?: number
  rougeL?: number
  examples?: Array<{ prediction: string; reference: string }>
}

export interface EvaluateResult {
  adapter: string | null
  records: number
  perplexity_base: Perplexity
  perplexity_tuned?: Perplexity
  generation_base?: GenerationMetrics
  generation_tuned?: GenerationMetrics
  memory?: MemoryReport
}

export interface GenerateResult {
  adapter: string | null
  text: string
  finish_reason: 'eos' | 'stop' | 'length' | 'cancelled'
  usage: { prompt_tokens: number; completion_tokens: number }
}

export interface SaveResult { path: string; kind: 'adapter' | 'merged' | 'model'; adapter?: string; files: string[] }
export interface CancelResult { target: CommandId; cancelled: boolean }
export type ShutdownResult = Record<string, never>

export interface CommandResults {
  info: InfoResult
  load: LoadResult
  count_tokens: CountTokensResult
  train: TrainResult
  evaluate: EvaluateResult
  generate: GenerateResult
  save: SaveResult
  cancel: CancelResult
  shutdown: ShutdownResult
}

// ---- events ---------------------------------------------------------------------------------

export interface ReadyEvent {
  event: 'ready'
  id: null
  protocol: typeof WORKER_PROTOCOL
  worker_version: string
  pid: number
  device: string
  matmul_peak_gflops: number
}

export interface ProgressEvent {
  event: 'progress'
  id: CommandId
  phase: 'train'
  step: number
  total_steps: number
  epoch: number
  loss: number
  lr: number
  grad_norm: number
  tokens: number
  trained_tokens: number
  tokens_per_s: number
  /** 0-1, achieved model FLOPs over the matmul peak measured at start-up */
  mfu: number
  memory: ProcessMemory
  eta_s: number
  step_time_s: number
  eval_loss?: number | null
}

export interface CheckpointEvent { event: 'checkpoint'; id: CommandId; step: number; path: string }
export interface TokenEvent { event: 'token'; id: CommandId; text: string; index: number }

/** The result of command `C`; `cmd` tells which. */
export type ResultEvent<C extends WorkerCommandName = WorkerCommandName> = {
  [K in C]: { event: 'result'; id: CommandId; cmd: K; result: CommandResults[K] }
}[C]

export interface ErrorEvent {
  event: 'error'
  /** null when the line could not be read as a command with an id */
  id: CommandId | null
  code: WorkerErrorCode
  message: string
  details: Record<string, unknown>
}

export type WorkerEvent = ReadyEvent | ProgressEvent | CheckpointEvent | TokenEvent | ResultEvent | ErrorEvent
