// Node-only Kubo uploads. kubo-rpc-client sends `add` bodies through Node's fetch (undici),
// which keeps a streamed request body in memory until the request ends (nodejs/undici#4058),
// so a 100 MB upload costs 100 MB of RAM. This uploader streams the same multipart request
// over node:http with backpressure; everything else still goes through kubo-rpc-client.

import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { ContentStoreError, ContentTooLargeError } from "./errors.ts";
import { KuboContentStore, type KuboContentStoreOptions, type KuboUploader } from "./kubo.ts";

/** Streams `add` over node:http(s) with constant memory. */
export const streamingKuboUploader: KuboUploader = async (content, { apiUrl, query, signal }) => {
  const url = new URL(`${apiUrl}/add?${new URLSearchParams(query)}`);
  const boundary = `----modelfactory${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const req = send(url, {
    method: "POST",
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Transfer-Encoding": "chunked" },
    ...(signal ? { signal } : {}),
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
  response.catch(() => {});
  let answered = false;
  void response.then(
    () => (answered = true),
    () => (answered = true),
  );
  const write = async (chunk: Uint8Array | string) => {
    if (answered || req.destroyed) return;
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off("drain", done);
          req.off("close", done);
          resolve();
        };
        req.once("drain", done);
        req.once("close", done);
        void response.then(done, done);
      });
    }
  };
  await write(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  for await (const chunk of content) {
    if (answered) break;
    await write(chunk);
  }
  await write(`\r\n--${boundary}--\r\n`);
  if (!answered && !req.destroyed) req.end();

  const res = await response;
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (res.statusCode !== 200) {
    let message = text.trim();
    try {
      message = (JSON.parse(text) as { Message?: string }).Message ?? message;
    } catch {
      // not JSON: keep the text
    }
    const meta = { endpoint: url.origin, status: res.statusCode };
    if (res.statusCode === 413) throw new ContentTooLargeError(`The content store refused the upload: ${message}`, { meta });
    throw new ContentStoreError(`The content store at ${url.origin} answered: ${message}`, { meta });
  }
  const lines = text.trim().split("\n").filter(Boolean);
  const last = lines.length > 0 ? (JSON.parse(lines[lines.length - 1]!) as { Hash?: string }) : {};
  if (!last.Hash)
    throw new ContentStoreError(`The content store at ${url.origin} reported no CID for the upload.`, { meta: { endpoint: url.origin } });
  return last.Hash;
};

/** A Kubo-backed store for Node: kubo-rpc-client for reads and pins, streamed uploads. */
export function createNodeKuboContentStore(options: KuboContentStoreOptions = {}): KuboContentStore {
  return new KuboContentStore({ uploader: streamingKuboUploader, ...options });
}
