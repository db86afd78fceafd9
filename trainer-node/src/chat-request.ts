// The OpenAI chat-completions request as the node accepts it: validated at the boundary, each bad
// field named with what it must be, sizes bounded (messages, content, stop strings, tokens).
import { ApiError } from "./errors.ts";

export type Message = { role: "system" | "user" | "assistant"; content: string };
export type ChatRequest = {
  model: string;
  messages: Message[];
  stream: boolean;
  maxTokens: number;
  temperature: number;
  topP: number;
  stop: string[];
  retrieve: boolean;
};

const MAX_MESSAGES = 64;
const MAX_CONTENT = 32 * 1024;

/** Validates an OpenAI chat body, naming the bad field. */
export function parseChatRequest(raw: unknown): ChatRequest {
  const bad = (message: string): never => {
    throw new ApiError(400, "BAD_REQUEST", message);
  };
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== "object") bad("The body must be a JSON object.");
  if (typeof o.model !== "string") bad('"model" must be a model id from GET /v1/models, e.g. "model-1".');
  if (!Array.isArray(o.messages) || o.messages.length === 0 || o.messages.length > MAX_MESSAGES)
    bad(`"messages" must hold 1 to ${MAX_MESSAGES} messages.`);
  const messages = (o.messages as unknown[]).map((m, i) => {
    const msg = m as Record<string, unknown>;
    if (!msg || !["system", "user", "assistant"].includes(msg.role as string))
      bad(`messages[${i}].role must be system, user or assistant.`);
    if (typeof msg.content !== "string" || msg.content.length > MAX_CONTENT)
      bad(`messages[${i}].content must be a string of at most ${MAX_CONTENT} characters.`);
    return { role: msg.role, content: msg.content } as Message;
  });
  if (!messages.some((m) => m.role === "user")) bad('"messages" needs at least one user message.');
  const num = (v: unknown, name: string, min: number, max: number, fallback: number) => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !(v >= min && v <= max)) bad(`"${name}" must be a number from ${min} to ${max}.`);
    return v as number;
  };
  const stop = o.stop === undefined || o.stop === null ? [] : typeof o.stop === "string" ? [o.stop] : o.stop;
  if (!Array.isArray(stop) || stop.length > 4 || !stop.every((s) => typeof s === "string" && s.length > 0 && s.length <= 64))
    bad('"stop" must be a string or up to 4 strings.');
  const maxTokens = num(o.max_tokens ?? o.max_completion_tokens, "max_tokens", 1, 2048, 256);
  if (!Number.isInteger(maxTokens)) bad('"max_tokens" must be an integer.');
  const ext = (o.modelfactory ?? {}) as { retrieve?: unknown };
  return {
    model: o.model as string,
    messages,
    stream: o.stream === true,
    maxTokens,
    temperature: num(o.temperature, "temperature", 0, 2, 0),
    topP: num(o.top_p, "top_p", 0.01, 1, 1),
    stop: stop as string[],
    retrieve: ext.retrieve !== false,
  };
}
