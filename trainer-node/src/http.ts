// Minimal HTTP plumbing for the API: a route table with path parameters, JSON bodies with a
// size bound, CORS for the configured origins, and every error as {"error": {code, message}}.
import type { IncomingMessage, ServerResponse } from "node:http";
import { describeError } from "@modelfactory/sdk";
import { ApiError } from "./errors.ts";

export type Handler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>, url: URL) => Promise<void> | void;
type Route = { method: string; pattern: RegExp; keys: string[]; handler: Handler };

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      "^" +
        path.replace(/:([a-zA-Z]+)/g, (_, key: string) => {
          keys.push(key);
          return "([^/]+)";
        }) +
        "$",
    );
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse, corsOrigins: readonly string[]): Promise<void> {
    const origin = req.headers.origin;
    if (origin && corsOrigins.includes(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "origin");
      res.setHeader("access-control-allow-headers", "authorization, content-type, last-event-id");
      res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      const matching = this.routes.filter((r) => r.pattern.test(url.pathname));
      const route = matching.find((r) => r.method === req.method);
      if (!route) {
        throw matching.length
          ? new ApiError(405, "METHOD_NOT_ALLOWED", `${req.method} is not allowed on ${url.pathname}.`)
          : new ApiError(404, "NOT_FOUND", `No route ${url.pathname}.`);
      }
      const m = route.pattern.exec(url.pathname)!;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      await route.handler(req, res, params, url);
    } catch (error) {
      const api = error instanceof ApiError ? error : new ApiError(500, "INTERNAL", describeError(error));
      if (!res.headersSent) sendJson(res, api.status, { error: { code: api.code, message: api.shortMessage } });
      else res.end();
    }
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }).end(text);
}

/** Reads and parses a JSON body of at most `maxBytes`. */
export async function readJson(req: IncomingMessage, maxBytes = 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `The request body exceeds ${maxBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
  } catch {
    throw new ApiError(400, "BAD_JSON", "The request body is not valid JSON.");
  }
}

/** Starts a Server-Sent Events response. */
export function startSse(res: ServerResponse): { send: (event: string, id: number | undefined, data: unknown) => void; close: () => void } {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write(": connected\n\n");
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
  res.on("close", () => clearInterval(heartbeat));
  return {
    send: (event, id, data) => res.write(`event: ${event}\n${id !== undefined ? `id: ${id}\n` : ""}data: ${JSON.stringify(data)}\n\n`),
    close: () => {
      clearInterval(heartbeat);
      res.end();
    },
  };
}
