// The four Kubo RPC commands the GUI and the trainer need, over the embedded store:
// add (multipart upload → ndjson results), cat (streamed bytes), pin/add and version.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Transform, type Readable } from "node:stream";
import { Busboy } from "@fastify/busboy";
import type { CID } from "multiformats/cid";
import { toCid } from "../content/cid.ts";
import type { EmbeddedContentStore } from "../content/embedded.ts";
import { ContentNotFoundError, InvalidCidError } from "../content/errors.ts";
import { ContentApiError } from "./content-api-error.ts";
import { intParam, parseAddParams } from "./kubo-params.ts";

export const API_VERSION = "0.1.0-modelfactory";

export type HandlerContext = { store: EmbeddedContentStore; maxRequestBytes: number };

/** `POST /api/v0/add`: imports each file part and answers one JSON line per file. */
export async function handleAdd(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const params = parseAddParams(query);
  const contentType = req.headers["content-type"] ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw new ContentApiError(400, "file argument 'path' is required: send the content as multipart/form-data");
  }
  const results: Array<{ Name: string; Hash: string; Size: string }> = [];
  let failure: unknown;
  let current: Readable | undefined;
  let chain = Promise.resolve();
  const fail = (error: unknown) => {
    failure ??= error;
  };
  const limiter = bodyLimit(ctx.maxRequestBytes);
  let busboy: ReturnType<typeof Busboy>;
  try {
    busboy = Busboy({ headers: req.headers as { "content-type": string } });
  } catch (cause) {
    throw new ContentApiError(400, "malformed multipart/form-data request", { cause });
  }
  busboy.on("file", (_field, stream, filename) => {
    if (failure !== undefined) {
      stream.resume();
      return;
    }
    current = stream;
    chain = chain.then(async () => {
      if (failure !== undefined) return void stream.resume();
      try {
        const added = await ctx.store.add(stream, params);
        const name = safeDecode(filename ?? "");
        results.push({ Name: name || added.cid.toString(), Hash: added.cid.toString(), Size: String(added.dagSize) });
      } catch (error) {
        fail(error);
        stream.resume();
      }
    });
  });
  busboy.on("field", (field) => {
    fail(
      new ContentApiError(
        400,
        field.startsWith("dir") ? "directories are not supported: add files one at a time" : `unexpected form field "${field}"`,
      ),
    );
  });
  await new Promise<void>((resolve) => {
    const stop = (error?: unknown) => {
      if (error !== undefined) fail(error);
      resolve();
    };
    limiter.on("error", (error) => {
      current?.destroy(error);
      stop(error);
    });
    busboy.on("error", stop);
    busboy.on("finish", () => stop());
    req.on("error", stop);
    req.pipe(limiter).pipe(busboy);
  });
  await chain;
  if (failure !== undefined) throw failure;
  if (results.length === 0) throw new ContentApiError(400, "file argument 'path' is required");
  res.writeHead(200, { "Content-Type": "application/json", "X-Chunked-Output": "1" });
  res.end(results.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

/** `POST /api/v0/cat?arg=<cid>`: streams the file, failing before any byte when it is missing. */
export async function handleCat(_req: IncomingMessage, res: ServerResponse, query: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const cid = cidArg(query);
  const offset = intParam(query, "offset");
  const length = intParam(query, "length");
  const iterator = ctx.store.get(cid, { offset, length })[Symbol.asyncIterator]();
  let next: IteratorResult<Uint8Array>;
  try {
    next = await iterator.next();
  } catch (error) {
    throw notFoundAsKubo(error, cid);
  }
  res.writeHead(200, { "Content-Type": "text/plain", "X-Stream-Output": "1", Trailer: "X-Stream-Error" });
  try {
    while (!next.done) {
      if (!res.write(next.value)) await new Promise((resolve) => res.once("drain", resolve));
      if (res.destroyed) return void (await iterator.return?.());
      next = await iterator.next();
    }
    res.end();
  } catch (error) {
    res.addTrailers({ "X-Stream-Error": error instanceof Error ? error.message.split("\n")[0]! : String(error) });
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

/** `POST /api/v0/pin/add?arg=<cid>`: checks every block is present, then pins. */
export async function handlePinAdd(_req: IncomingMessage, res: ServerResponse, query: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const args = query.getAll("arg");
  if (args.length === 0) throw new ContentApiError(400, 'argument "ipfs-path" is required');
  const pins: string[] = [];
  for (const arg of args) {
    const cid = parseCidArg(arg);
    try {
      await ctx.store.pin(cid);
    } catch (error) {
      throw notFoundAsKubo(error, cid);
    }
    pins.push(cid.toString());
  }
  sendJson(res, 200, { Pins: pins });
}

/** `POST /api/v0/version`. */
export async function handleVersion(_req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, { Version: API_VERSION, Commit: "", Repo: "embedded", System: `${process.arch}/${process.platform}`, Golang: "" });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function cidArg(query: URLSearchParams): CID {
  const arg = query.get("arg");
  if (!arg) throw new ContentApiError(400, 'argument "ipfs-path" is required');
  return parseCidArg(arg);
}

function parseCidArg(arg: string): CID {
  try {
    return toCid(arg);
  } catch (error) {
    if (error instanceof InvalidCidError) throw new ContentApiError(400, `invalid path "${arg}": ${error.shortMessage}`, { cause: error });
    throw error;
  }
}

/** Kubo's wording for a block missing from an offline node, which clients match on. */
function notFoundAsKubo(error: unknown, cid: CID): unknown {
  if (error instanceof ContentNotFoundError) {
    const missing = String(error.meta.cid ?? cid);
    return new ContentApiError(500, `block was not found locally (offline): ipld: could not find ${missing}`, {
      code: "CONTENT_NOT_FOUND",
      cause: error,
    });
  }
  return error;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A pass-through stream that fails once more than `max` bytes went through it. */
function bodyLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) callback(tooLarge(max));
      else callback(null, chunk);
    },
  });
}

export function tooLarge(max: number): ContentApiError {
  return new ContentApiError(413, `request body is larger than the ${max}-byte limit of this content API`, { code: "CONTENT_TOO_LARGE" });
}
