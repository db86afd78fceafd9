// The base models a node offers: every folder in the models directory that holds a Hugging
// Face causal LM (config.json + safetensors weights), and every GGUF file there after its one-time
// conversion into such a folder (gguf-import.ts). Parameter counts come from the safetensors
// headers, so scanning never loads weights.
import { existsSync } from "node:fs";
import { open, readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { BaseModelInfo, MemoryEstimate } from "@modelfactory/sdk";
import { importGgufFiles, workerGgufImporter, type GgufImporter } from "./gguf-import.ts";

const MAX_HEADER = 100 * 1024 * 1024;

async function safetensorsParameters(file: string): Promise<number> {
  const handle = await open(file, "r");
  try {
    const lengthBytes = Buffer.alloc(8);
    await handle.read(lengthBytes, 0, 8, 0);
    const length = Number(lengthBytes.readBigUInt64LE(0));
    if (length <= 0 || length > MAX_HEADER) throw new Error(`${file}: implausible safetensors header length ${length}`);
    const header = Buffer.alloc(length);
    await handle.read(header, 0, length, 8);
    const tensors = JSON.parse(header.toString("utf8")) as Record<string, { shape?: number[] }>;
    let total = 0;
    for (const [name, t] of Object.entries(tensors)) if (name !== "__metadata__" && t.shape) total += t.shape.reduce((a, b) => a * b, 1);
    return total;
  } finally {
    await handle.close();
  }
}

/** Describes one model folder, or returns undefined if it is not a usable causal LM. */
export async function describeModel(dir: string): Promise<BaseModelInfo | undefined> {
  const configFile = path.join(dir, "config.json");
  if (!existsSync(configFile)) return undefined;
  const config = JSON.parse(await readFile(configFile, "utf8")) as Record<string, unknown>;
  const files = await readdir(dir);
  const weights = files.filter((f) => f.endsWith(".safetensors"));
  if (weights.length === 0) return undefined;
  let parameters = 0;
  let sizeBytes = 0;
  for (const w of weights) {
    parameters += await safetensorsParameters(path.join(dir, w));
    sizeBytes += (await stat(path.join(dir, w))).size;
  }
  let hasChatTemplate = files.includes("chat_template.jinja") || files.includes("chat_template.json");
  if (!hasChatTemplate && files.includes("tokenizer_config.json")) {
    const tok = JSON.parse(await readFile(path.join(dir, "tokenizer_config.json"), "utf8")) as { chat_template?: unknown };
    hasChatTemplate = typeof tok.chat_template === "string" || Array.isArray(tok.chat_template);
  }
  const id = path.basename(dir);
  return {
    id,
    name: typeof config.modelfactory_name === "string" ? config.modelfactory_name : id,
    architecture: String(config.model_type ?? "unknown"),
    parameters,
    contextLength: Number(config.max_position_embeddings ?? 2048),
    sizeBytes,
    methods: ["lora", "qlora"],
    hasChatTemplate,
  };
}

export type ScanOptions = {
  /** Converts `X.gguf` into `X/` (default: the worker's `import-gguf`); `false` leaves GGUF files alone. */
  importGguf?: GgufImporter | false;
};

/**
 * Every usable model under `modelsDir`, sorted by id. GGUF files are converted first (once each); a
 * broken folder or file is skipped with a warning naming it and the reason.
 */
export async function scanBaseModels(
  modelsDir: string,
  warn: (message: string) => void = console.warn,
  options: ScanOptions = {},
): Promise<BaseModelInfo[]> {
  if (!existsSync(modelsDir)) return [];
  if (options.importGguf !== false) await importGgufFiles(modelsDir, options.importGguf ?? workerGgufImporter(), warn);
  const out: BaseModelInfo[] = [];
  for (const entry of await readdir(modelsDir, { withFileTypes: true })) {
    // Hidden entries: import state and the temporary folders of a conversion in progress.
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    try {
      const info = await describeModel(path.join(modelsDir, entry.name));
      if (info) out.push(info);
    } catch (error) {
      warn(`models: skipping ${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Memory to fine-tune a model of `parameters` parameters, in bytes, with AdamW: full (bf16
 * weights and gradients, fp32 master weights and two moments: 16 B/param), LoRA (bf16 frozen
 * weights + ~1 % trainable at 16 B) and QLoRA (NF4 weights with double quantisation, ~0.52
 * B/param, + the same adapters). Activations are excluded; the pre-flight adds them.
 */
export function estimateMemory(parameters: number, trainableFraction = 0.01): MemoryEstimate {
  const adapters = parameters * trainableFraction * 16;
  return {
    parameters,
    full: Math.round(parameters * 16),
    lora: Math.round(parameters * 2 + adapters),
    qlora: Math.round(parameters * 0.516 + adapters),
  };
}
