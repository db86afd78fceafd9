// The embedded content store (Node only): UnixFS import/export over a filesystem blockstore
// in one folder, no networking. The local content API serves it to the GUI and to tests;
// production swaps it for a Kubo node holding the very same CIDs.

import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { FsBlockstore } from "blockstore-fs";
import { NextToLast } from "blockstore-fs/sharding";
import { importer } from "ipfs-unixfs-importer";
import type { CID } from "multiformats/cid";
import { ModelFactoryError } from "../errors.ts";
import { toCid } from "./cid.ts";
import { ContentNotFoundError, ContentStoreError } from "./errors.ts";
import { CONTENT_LAYOUT, importerOptions, type UnixFsLayout } from "./layout.ts";
import { toAsyncIterable, type ContentSource } from "./source.ts";
import type { ContentStore, GetOptions, PutOptions } from "./store.ts";
import { readUnixFsFile, type BlockGetter } from "./unixfs-reader.ts";
import { isNotFound, verifiedBlockGetter } from "./verified-blockstore.ts";

export type EmbeddedContentStoreOptions = {
  /** Folder holding `blocks/` and `pins/`; created when missing. */
  directory: string;
};

export type AddOptions = PutOptions & {
  /** Layout override, for Kubo-compatible `add` requests that name other flags. */
  layout?: UnixFsLayout;
  /** Compute the CID without writing blocks (Kubo `--only-hash`). */
  onlyHash?: boolean;
};

export type AddResult = {
  cid: CID;
  /** Bytes of content read. */
  size: number;
  /** Bytes of the whole DAG (content plus UnixFS nodes), Kubo's `Size`. */
  dagSize: number;
};

export type EmbeddedGetOptions = GetOptions & { offset?: number; length?: number };

/** A {@link ContentStore} persisted to a local folder. */
export class EmbeddedContentStore implements ContentStore {
  readonly directory: string;
  readonly #blockstore: FsBlockstore;
  readonly #getBlock: BlockGetter;
  readonly #pins: string;

  private constructor(directory: string) {
    this.directory = directory;
    const blocks = path.join(directory, "blocks");
    const sharding = new NextToLast();
    this.#blockstore = new FsBlockstore(blocks, { shardingStrategy: sharding });
    // Reads go straight to the block file (one read instead of a 64 KiB-chunked stream).
    this.#getBlock = verifiedBlockGetter({
      async *get(cid: CID) {
        const { dir, file } = sharding.encode(cid);
        yield await readFile(path.join(blocks, dir, file));
      },
    });
    this.#pins = path.join(directory, "pins");
  }

  /** Opens (creating when needed) the store in `options.directory`. */
  static async open(options: EmbeddedContentStoreOptions): Promise<EmbeddedContentStore> {
    const store = new EmbeddedContentStore(path.resolve(options.directory));
    try {
      await mkdir(store.#pins, { recursive: true });
      await store.#blockstore.open();
    } catch (cause) {
      throw new ContentStoreError(`Cannot open the content store in ${store.directory}.`, { cause, meta: { directory: store.directory } });
    }
    return store;
  }

  /** Imports `content` and reports its CID and sizes. */
  async add(content: ContentSource, options: AddOptions = {}): Promise<AddResult> {
    let size = 0;
    async function* counted() {
      for await (const chunk of toAsyncIterable(content)) {
        options.signal?.throwIfAborted();
        size += chunk.length;
        yield chunk;
      }
    }
    const target = options.onlyHash ? { put: async (cid: CID) => cid } : this.#blockstore;
    let last: { cid: CID; size: bigint } | undefined;
    try {
      for await (const entry of importer([{ content: counted() }], target, importerOptions(options.layout ?? CONTENT_LAYOUT))) {
        last = entry;
      }
    } catch (cause) {
      if (cause instanceof ModelFactoryError) throw cause;
      if ((cause as { name?: string }).name === "AbortError") throw cause;
      throw new ContentStoreError("Adding content to the embedded store failed.", { cause });
    }
    if (!last) throw new ContentStoreError("The importer produced no CID.");
    if (!options.onlyHash && (options.pin ?? true)) await this.#markPinned(last.cid);
    return { cid: last.cid, size, dagSize: Number(last.size) };
  }

  async put(content: ContentSource, options: PutOptions = {}): Promise<CID> {
    return (await this.add(content, options)).cid;
  }

  async *get(cid: CID | string, options: EmbeddedGetOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const root = toCid(cid);
    try {
      yield* readUnixFsFile(this.#getBlock, root, options);
    } catch (cause) {
      throw mapError(cause, root);
    }
  }

  async has(cid: CID | string): Promise<boolean> {
    return this.#blockstore.has(toCid(cid));
  }

  /** Reads (and so verifies) every block of `cid`, then records the pin. */
  async pin(cid: CID | string, options: GetOptions = {}): Promise<void> {
    const root = toCid(cid);
    for await (const _chunk of this.get(root, options)) {
      // Reading is the check: every block is fetched and hashed.
    }
    await this.#markPinned(root);
  }

  async isPinned(cid: CID | string): Promise<boolean> {
    try {
      await stat(this.#pinPath(toCid(cid)));
      return true;
    } catch {
      return false;
    }
  }

  /** CIDs pinned in this store, as v1 strings. */
  async pins(): Promise<string[]> {
    return (await readdir(this.#pins)).sort();
  }

  async close(): Promise<void> {
    await this.#blockstore.close();
  }

  #pinPath(cid: CID): string {
    return path.join(this.#pins, cid.toV1().toString());
  }

  async #markPinned(cid: CID): Promise<void> {
    await writeFile(this.#pinPath(cid), "");
  }
}

/** Opens an {@link EmbeddedContentStore}. */
export function createEmbeddedContentStore(options: EmbeddedContentStoreOptions): Promise<EmbeddedContentStore> {
  return EmbeddedContentStore.open(options);
}

function mapError(cause: unknown, cid: CID): unknown {
  if (cause instanceof ModelFactoryError) return cause;
  if (isNotFound(cause)) return new ContentNotFoundError(cid.toString(), { cause });
  if ((cause as { name?: string }).name === "AbortError") return cause;
  return new ContentStoreError(`Reading ${cid} from the embedded store failed.`, { cause, meta: { cid: cid.toString() } });
}
