// Exports of a served model (POST /v1/models/:modelId/exports, docs/trainer-node-api.md): the
// merged model as a Hugging Face folder (a tar) or as GGUF for llama.cpp and Ollama.

export const MODEL_EXPORT_FORMATS = ["hf", "gguf-f16", "gguf-q8_0"] as const;
export type ModelExportFormat = (typeof MODEL_EXPORT_FORMATS)[number];

/** What a node answers about one model's export in one format. */
export type ModelExportStatus = {
  modelId: string;
  format: ModelExportFormat;
  state: "running" | "ready" | "failed";
  /** When it was first asked for (ISO 8601). */
  startedAt: string;
  seconds?: number;
  bytes?: number;
  fileName?: string;
  /** Why it failed, in one sentence. */
  error?: string;
  /** When ready: a link (path on the node's URL) that works once, for a few minutes (ask again for a fresh one). */
  download?: { path: string; expiresAt: string };
};

/** What each format is for, in the words the GUI shows. */
export const MODEL_EXPORT_HELP: Record<ModelExportFormat, { title: string; use: string }> = {
  hf: {
    title: "Hugging Face folder (safetensors, as .tar)",
    use: "transformers, vLLM, TGI, or fine-tuning further: `tar -xf` it and load the folder.",
  },
  "gguf-f16": { title: "GGUF f16", use: "llama.cpp and Ollama at full 16-bit precision." },
  "gguf-q8_0": { title: "GGUF q8_0", use: "llama.cpp and Ollama in 8-bit: about half the size of f16, nearly the same answers." },
};
