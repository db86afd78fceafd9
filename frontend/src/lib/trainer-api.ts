// Client of the trainer node HTTP API (docs/trainer-node-api.md). Every failure becomes a
// TrainerApiError whose short message is one sentence.
import { ModelFactoryError } from "@sdk/errors.ts";
import type {
  ApiError,
  AuthSession,
  BaseModelInfo,
  ChatAttribution,
  EvaluationReport,
  JobSummary,
  ModelExportFormat,
  ModelExportStatus,
  NodeHealth,
  PreflightReport,
  ReceiptStatus,
  TrainingSpec,
} from "@modelfactory/sdk";

export class TrainerApiError extends ModelFactoryError {
  override name = "TrainerApiError";
}

type Options = { method?: string; body?: unknown; token?: string | null; signal?: AbortSignal };

export async function trainerFetch<T>(baseUrl: string, path: string, options: Options = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers: {
        ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (cause) {
    throw new TrainerApiError(`The trainer node at ${new URL(baseUrl).host} could not be reached.`, { code: "TRAINER_UNREACHABLE", cause });
  }
  if (!response.ok) {
    let body: Partial<ApiError> = {};
    try {
      body = (await response.json()) as ApiError;
    } catch {
      /* no JSON body */
    }
    const message = body.error?.message ?? `HTTP ${response.status}`;
    throw new TrainerApiError(`The trainer node refused: ${message}`, {
      code: body.error?.code ?? `HTTP_${response.status}`,
      meta: { status: response.status },
    });
  }
  return (await response.json()) as T;
}

export const trainerApi = {
  health: (url: string, signal?: AbortSignal) => trainerFetch<NodeHealth>(url, "/health", signal ? { signal } : {}),
  baseModels: (url: string) => trainerFetch<BaseModelInfo[]>(url, "/v1/base-models"),
  preflight: (url: string, spec: TrainingSpec) => trainerFetch<PreflightReport>(url, "/v1/preflight", { body: { spec } }),
  jobs: (url: string, builder?: string) => trainerFetch<JobSummary[]>(url, `/v1/jobs${builder ? `?builder=${builder}` : ""}`),
  job: (url: string, jobId: string) => trainerFetch<JobSummary>(url, `/v1/jobs/${jobId}`),
  metrics: (url: string, jobId: string) => trainerFetch<EvaluationReport>(url, `/v1/jobs/${jobId}/metrics`),
  manifest: (url: string, jobId: string) => trainerFetch<unknown>(url, `/v1/jobs/${jobId}/manifest`),
  receipt: (url: string, receiptId: string) => trainerFetch<ReceiptStatus>(url, `/v1/receipts/${receiptId}`),
  cancel: (url: string, jobId: string, token: string) =>
    trainerFetch<unknown>(url, `/v1/jobs/${jobId}/cancel`, { method: "POST", body: {}, token }),
  nonce: (url: string) => trainerFetch<{ nonce: string }>(url, "/auth/nonce"),
  verify: (url: string, message: string, signature: string) =>
    trainerFetch<AuthSession>(url, "/auth/verify", { body: { message, signature } }),
  models: (url: string, token: string) => trainerFetch<{ data: { id: string }[] }>(url, "/v1/models", { token }),
  adapterUrl: (url: string, modelId: string) => `${url}/v1/models/${modelId}/adapter`,
  exportModel: (url: string, modelId: string, format: ModelExportFormat, token: string) =>
    trainerFetch<ModelExportStatus>(url, `/v1/models/${modelId}/exports`, { body: { format }, token }),
};

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };
export type ChatResult = { content: string; attribution: ChatAttribution | null; firstTokenMs: number | null };

/**
 * Streams an OpenAI-style chat completion, calling `onDelta` with each piece of text; the last
 * chunk (or the body) carries the `modelfactory` attribution.
 */
export async function streamChat(
  url: string,
  token: string,
  body: { model: string; messages: ChatMessage[]; max_tokens?: number; temperature?: number },
  onDelta: (text: string) => void,
  signal?: AbortSignal,
): Promise<ChatResult> {
  const start = performance.now();
  let response: Response;
  try {
    response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
      body: JSON.stringify({ ...body, stream: true }),
      ...(signal ? { signal } : {}),
    });
  } catch (cause) {
    throw new TrainerApiError("The trainer node could not be reached for chat.", { code: "TRAINER_UNREACHABLE", cause });
  }
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => "");
    let message = `HTTP ${response.status}`;
    try {
      message = (JSON.parse(text) as ApiError).error.message;
    } catch {
      /* keep status */
    }
    throw new TrainerApiError(`The trainer node refused the chat: ${message}`, { code: "CHAT_REFUSED" });
  }
  const { SseParser } = await import("./sse.ts");
  const parser = new SseParser();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let content = "";
  let attribution: ChatAttribution | null = null;
  let firstTokenMs: number | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const m of parser.push(value)) {
      if (m.data === "[DONE]") continue;
      const chunk = JSON.parse(m.data) as { choices?: { delta?: { content?: string } }[]; modelfactory?: ChatAttribution };
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) {
        firstTokenMs ??= performance.now() - start;
        content += delta;
        onDelta(delta);
      }
      if (chunk.modelfactory) attribution = chunk.modelfactory;
    }
  }
  return { content, attribution, firstTokenMs };
}
