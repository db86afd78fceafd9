// The remote content store: a Kubo node (or anything speaking its RPC API, such as the local
// content API) through kubo-rpc-client. Uploads use the pinned layout's flags, and every
// CID the node reports or serves is recomputed locally from the streamed bytes.

import { create, type KuboRPCClient } from "kubo-rpc-client";
import type { CID } from "multiformats/cid";
import { code as rawCode } from "multiformats/codecs/raw";
import { ModelFactoryError } from "../errors.ts";
import { toCid, verifyBlock } from "./cid.ts";
import { ContentIntegrityError, ContentNotFoundError, ContentStoreError, ContentTooLargeError } from "./errors.ts";
import { computeCid, KUBO_ADD_OPTIONS, layoutForCid } from "./layout.ts";
import { ChunkQueue, toAsyncIterable, type ContentSource } from "./source.ts";
import type { ContentStore, GetOptions, PutOptions } from "./store.ts";

export type KuboContentStoreOptions = {
  /** Kubo RPC address, e.g. `http://127.0.0.1:5001`. Ignored when `client` is given. */
  url?: string | URL;
  /** A ready client, for custom headers or agents. */
  client?: KuboRPCClient;
  /**
   * Ask the node to answer from its own blocks only (Kubo's `offline` option), so a missing
   * CID fails at once instead of being searched for on the network. Default true.
   */
  offline?: boolean;
  /** Per-request timeout for reads and pins, in milliseconds. None by default. */
  timeoutMs?: number;
  /** Recompute CIDs from the bytes sent and received. Default true; leave it on. */
  verify?: boolean;
  /** How `add` requests are sent; default kubo-rpc-client. The Node entry streams instead. */
  uploader?: KuboUploader;
};

/**
 * Sends one file to Kubo's `add` command with the given query flags and returns the CID the
 * node reports. Throws ModelFactoryErrors for refusals, anything else for transport failures.
 */
export type KuboUploader = (
  content: AsyncIterable<Uint8Array>,
  request: { apiUrl: string; query: Record<string, string>; signal?: AbortSignal },
) => Promise<string>;

/** {@link KUBO_ADD_OPTIONS} as Kubo's query flags. */
export function kuboAddQuery(pin: boolean): Record<string, string> {
  return {
    "cid-version": String(KUBO_ADD_OPTIONS.cidVersion),
    "raw-leaves": String(KUBO_ADD_OPTIONS.rawLeaves),
    chunker: KUBO_ADD_OPTIONS.chunker,
    hash: KUBO_ADD_OPTIONS.hashAlg,
    trickle: "false",
    "wrap-with-directory": "false",
    pin: String(pin),
    progress: "false",
    "stream-channels": "true",
  };
}

/** A {@link ContentStore} backed by a Kubo node. */
export class KuboContentStore implements ContentStore {
  readonly client: KuboRPCClient;
  readonly #offline: boolean;
  readonly #timeout: number | undefined;
  readonly #verify: boolean;
  readonly #endpoint: string;
  readonly #uploader: KuboUploader | undefined;
  /** The RPC base URL, e.g. `http://127.0.0.1:5001/api/v0`. */
  readonly apiUrl: string;

  constructor(options: KuboContentStoreOptions = {}) {
    this.client = options.client ?? create({ url: options.url ?? "http://127.0.0.1:5001" });
    this.#offline = options.offline ?? true;
    this.#timeout = options.timeoutMs;
    this.#verify = options.verify ?? true;
    const { protocol, host, port, pathname } = this.client.getEndpointConfig();
    this.#endpoint = `${protocol}//${host}${port ? `:${port}` : ""}`;
    this.apiUrl = `${this.#endpoint}${pathname.replace(/\/$/, "")}`;
    this.#uploader = options.uploader;
  }

  async put(content: ContentSource, options: PutOptions = {}): Promise<CID> {
    const queue = this.#verify ? new ChunkQueue() : undefined;
    const local = queue ? computeCid(queue) : undefined;
    local?.catch(() => {});
    async function* tee() {
      for await (const chunk of toAsyncIterable(content)) {
        queue?.push(chunk);
        yield chunk;
      }
      queue?.end();
    }
    let cid: CID;
    try {
      if (this.#uploader) {
        const reported = await this.#uploader(tee(), {
          apiUrl: this.apiUrl,
          query: kuboAddQuery(options.pin ?? true),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        cid = toCid(reported);
      } else {
        const result = await this.client.add(tee(), {
          ...KUBO_ADD_OPTIONS,
          pin: options.pin ?? true,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        cid = result.cid;
      }
    } catch (cause) {
      queue?.end(cause);
      throw this.#mapError(cause);
    }
    if (local) {
      const expected = await local;
      if (expected.toString() !== cid.toString()) {
        throw new ContentIntegrityError(`The content store returned CID ${cid}, but the bytes sent have CID ${expected}.`, {
          details: "The node is not importing with the pinned layout; see sdk/CONTENT.md for the matching Kubo flags.",
          meta: { returned: cid.toString(), expected: expected.toString() },
        });
      }
    }
    return cid;
  }

  async *get(cid: CID | string, options: GetOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const root = toCid(cid);
    const raw = root.code === rawCode;
    const queue = this.#verify && !raw ? new ChunkQueue() : undefined;
    const local = queue ? computeCid(queue, layoutForCid(root)) : undefined;
    local?.catch(() => {});
    const rawChunks: Uint8Array[] = [];
    let finished = false;
    try {
      for await (const chunk of this.client.cat(root, this.#readOptions(options))) {
        queue?.push(chunk);
        if (raw && this.#verify) rawChunks.push(chunk);
        yield chunk;
      }
      finished = true;
    } catch (cause) {
      throw this.#mapError(cause, root);
    } finally {
      queue?.end(finished ? undefined : new Error("read stopped"));
    }
    if (raw && this.#verify) await verifyBlock(root, concat(rawChunks));
    const actual = local ? (await local).toString() : undefined;
    if (actual !== undefined && actual !== root.toString()) {
      throw new ContentIntegrityError(`The bytes served for ${root} do not match that CID.`, {
        details: "The node served different content, or the CID was made with another chunker or layout than sdk/CONTENT.md pins.",
        meta: { cid: root.toString(), actual },
      });
    }
  }

  async has(cid: CID | string, options: GetOptions = {}): Promise<boolean> {
    const root = toCid(cid);
    try {
      for await (const _chunk of this.client.cat(root, { ...this.#readOptions(options), offline: true, length: 1 } as never)) {
        // The first chunk proves the root and the first leaf are on the node.
      }
      return true;
    } catch (cause) {
      const error = this.#mapError(cause, root);
      if (error instanceof ContentNotFoundError) return false;
      throw error;
    }
  }

  async pin(cid: CID | string, options: GetOptions = {}): Promise<void> {
    const root = toCid(cid);
    try {
      await this.client.pin.add(root, this.#readOptions(options));
    } catch (cause) {
      throw this.#mapError(cause, root);
    }
  }

  #readOptions(options: GetOptions) {
    return {
      ...(this.#offline ? { offline: true } : {}),
      ...(this.#timeout !== undefined ? { timeout: this.#timeout } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    } as { signal?: AbortSignal; timeout?: number };
  }

  #mapError(cause: unknown, cid?: CID): unknown {
    if (cause instanceof ModelFactoryError) return cause;
    const e = cause as { name?: string; message?: string; response?: { status?: number }; cause?: { code?: string } };
    const message = e?.message ?? String(cause);
    if (e?.name === "AbortError") return cause;
    if (e?.name === "HTTPError") {
      if (e.response?.status === 413) {
        return new ContentTooLargeError(`The content store refused the upload: ${message}`, { cause, meta: { endpoint: this.#endpoint } });
      }
      if (cid && /not found|could not find|no link named/i.test(message)) {
        return new ContentNotFoundError(cid.toString(), { cause, meta: { endpoint: this.#endpoint } });
      }
      return new ContentStoreError(`The content store at ${this.#endpoint} answered: ${message}`, {
        cause,
        meta: { endpoint: this.#endpoint },
      });
    }
    if (e?.name === "TimeoutError") {
      return new ContentStoreError(`The content store at ${this.#endpoint} did not answer in time.`, {
        code: "CONTENT_STORE_TIMEOUT",
        cause,
        meta: { endpoint: this.#endpoint, cid: cid?.toString(), timeoutMs: this.#timeout },
      });
    }
    return new ContentStoreError(`Cannot reach the content store at ${this.#endpoint}.`, {
      code: "CONTENT_STORE_UNAVAILABLE",
      details: "Start the local content API (npm run dev) or check the Kubo RPC address.",
      cause,
      meta: { endpoint: this.#endpoint },
    });
  }
}

/** Connects to a Kubo RPC API. */
export function createKuboContentStore(options: KuboContentStoreOptions = {}): KuboContentStore {
  return new KuboContentStore(options);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
