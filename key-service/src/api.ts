// The HTTP interface (loopback by default; CORS for the GUI's origin). Routes:
//   GET  /health                     this service's key and whether the chain binds it
//   GET  /v1/datanets/:id/key        public key and versions, to compare with DatanetKeys
//   POST /v1/nonce                   a single-use nonce for the next signed request
//   POST /v1/keys                    {message, signature} → {keys: [{contributionId, wrappedKey}]}
//   POST /v1/datanets/:id/rotate     {message, signature} (owner) → {datanetId, version, publicKey}
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describeError, type KeyServiceKeyResponse } from "@modelfactory/sdk";
import { ApiError } from "./errors.ts";
import type { KeyService } from "./service.ts";

const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `The request body exceeds ${MAX_BODY} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
  } catch {
    throw new ApiError(400, "BAD_JSON", "The request body is not valid JSON.");
  }
}

export type KeyServiceApi = { server: Server; port: number; url: string; close: () => Promise<void> };

export async function startApi(service: KeyService): Promise<KeyServiceApi> {
  const { config } = service;
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = req.headers.origin;
    if (origin && config.corsOrigins.includes(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "origin");
      res.setHeader("access-control-allow-headers", "content-type");
      res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
    }
    if (req.method === "OPTIONS") return void res.writeHead(204).end();
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const key = /^\/v1\/datanets\/([^/]+)\/key$/.exec(path);
    const rotate = /^\/v1\/datanets\/([^/]+)\/rotate$/.exec(path);
    const method = (m: string) => {
      if (req.method !== m) throw new ApiError(405, "METHOD_NOT_ALLOWED", `${req.method} is not allowed on ${path}.`);
    };
    if (path === "/health") {
      method("GET");
      return send(res, 200, await service.health());
    }
    if (key) {
      method("GET");
      if (key[1] !== String(service.datanetId))
        throw new ApiError(404, "OTHER_DATANET", `This key service holds the key of Datanet ${service.datanetId}, not Datanet ${key[1]}.`);
      const body: KeyServiceKeyResponse = {
        datanetId: String(service.datanetId),
        publicKey: service.ring.current.publicKey,
        version: service.ring.current.version,
        versions: service.ring.list(),
      };
      return send(res, 200, body);
    }
    if (path === "/v1/nonce") {
      method("POST");
      return send(res, 200, service.auth.nonce());
    }
    if (path === "/v1/keys") {
      method("POST");
      return send(res, 200, await service.release(await readJson(req)));
    }
    if (rotate) {
      method("POST");
      return send(res, 200, await service.rotate(rotate[1]!, await readJson(req)));
    }
    throw new ApiError(404, "NOT_FOUND", `No route ${path}.`);
  };
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const api = error instanceof ApiError ? error : new ApiError(500, "INTERNAL", describeError(error));
      if (!res.headersSent) send(res, api.status, { error: { code: api.code, message: api.shortMessage } });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${config.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
