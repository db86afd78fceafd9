// The local content API: an HTTP server on 127.0.0.1 that speaks the subset of Kubo's RPC
// API (add, cat, pin/add, version) the GUI and the trainer use, over the embedded store,
// so kubo-rpc-client works against it unchanged. Production points the client at Kubo.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describeError, InvalidInputError, ModelFactoryError } from "../errors.ts";
import type { EmbeddedContentStore } from "../content/embedded.ts";
import { ContentApiError } from "./content-api-error.ts";
import { handleAdd, handleCat, handlePinAdd, handleVersion, sendJson, tooLarge, type HandlerContext } from "./handlers.ts";
import { DEFAULT_ALLOWED_ORIGINS, isLoopbackBindAddress, isLoopbackHostHeader, isOriginAllowed } from "./policy.ts";

export type ContentApiOptions = {
  store: EmbeddedContentStore;
  /** TCP port; 0 picks a free one. Default 5001, Kubo's. */
  port?: number;
  /** Loopback address to bind; default 127.0.0.1. Other addresses are refused. */
  host?: string;
  /** Browser origins allowed to call the API; `:*` means any port. Default: loopback origins. */
  allowedOrigins?: readonly string[];
  /** Largest request body in bytes; larger requests get 413. Default 64 MiB. */
  maxRequestBytes?: number;
  /** Called with one line per failed request. */
  log?: (line: string) => void;
};

export type ContentApi = {
  /** Base URL, e.g. `http://127.0.0.1:5001`: give it to kubo-rpc-client. */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
};

/** Default request limit: a 50 MiB contribution plus room for multipart framing. */
export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;

type Handler = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams, ctx: HandlerContext) => Promise<void>;

const ROUTES: Record<string, Handler> = {
  "/api/v0/add": handleAdd,
  "/api/v0/cat": handleCat,
  "/api/v0/pin/add": handlePinAdd,
  "/api/v0/version": handleVersion,
};

const EXPOSED_HEADERS = "X-Stream-Output, X-Chunked-Output, X-Content-Length, X-Stream-Error";

/**
 * Starts the local content API.
 * @example
 * const store = await createEmbeddedContentStore({ directory: ".data/ipfs" })
 * const api = await startContentApi({ store, port: 5001 })
 * const kubo = createKuboContentStore({ url: api.url })
 */
export async function startContentApi(options: ContentApiOptions): Promise<ContentApi> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopbackBindAddress(host)) {
    throw new InvalidInputError(`The content API binds to loopback only; "${host}" is not a loopback address.`, {
      details: "Use 127.0.0.1 (or ::1). Production uses a real Kubo node instead of this API.",
      meta: { host },
    });
  }
  const port = options.port ?? 5001;
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new InvalidInputError(`Port ${port} is not a valid TCP port.`);
  if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes <= 0) {
    throw new InvalidInputError("maxRequestBytes must be a positive integer.", { meta: { maxRequestBytes } });
  }
  const allowedOrigins = options.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS;
  const ctx: HandlerContext = { store: options.store, maxRequestBytes };

  const server = createServer((req, res) => {
    void handle(req, res, ctx, allowedOrigins, options.log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  allowedOrigins: readonly string[],
  log: ((line: string) => void) | undefined,
): Promise<void> {
  try {
    if (!isLoopbackHostHeader(req.headers.host))
      throw new ContentApiError(403, "host not allowed: this API answers loopback requests only");
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!isOriginAllowed(origin, allowedOrigins)) throw new ContentApiError(403, `origin ${origin} is not allowed to use this API`);
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = ROUTES[url.pathname.replace(/\/$/, "")];
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": req.headers["access-control-request-headers"] ?? "Content-Type",
        "Access-Control-Max-Age": "600",
        ...(req.headers["access-control-request-private-network"] ? { "Access-Control-Allow-Private-Network": "true" } : {}),
      });
      res.end();
      return;
    }
    if (!route) throw new ContentApiError(404, `command ${url.pathname} is not served here (add, cat, pin/add and version are)`);
    if (req.method !== "POST") throw new ContentApiError(405, `method ${req.method} not allowed: use POST`);
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > ctx.maxRequestBytes) throw tooLarge(ctx.maxRequestBytes);
    await route(req, res, url.searchParams, ctx);
  } catch (error) {
    sendError(req, res, error, ctx.maxRequestBytes, log);
  }
}

function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  maxRequestBytes: number,
  log: ((line: string) => void) | undefined,
): void {
  const status =
    error instanceof ContentApiError ? error.status : error instanceof ModelFactoryError && error.code === "CONTENT_TOO_LARGE" ? 413 : 500;
  const message = error instanceof ContentApiError ? error.shortMessage : describeError(error);
  log?.(`${req.method} ${req.url} → ${status} ${message}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const unread = !req.readableEnded;
  sendJson(res, status, { Message: message, Code: status < 500 ? 1 : 0, Type: "error" }, unread ? { Connection: "close" } : {});
  if (unread) drain(req, maxRequestBytes);
}

/** Reads and drops what is left of a refused upload (up to a bound) so the client sees the answer. */
function drain(req: IncomingMessage, bound: number): void {
  req.unpipe();
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > bound) req.destroy();
  });
  req.resume();
}
