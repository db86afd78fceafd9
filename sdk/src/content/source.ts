// What can be put into a content store: bytes, (async) iterables of bytes, or a WHATWG
// ReadableStream (a browser File's `stream()`), all read as one async iterable of chunks.

/** Content accepted by {@link ContentStore.put}. */
export type ContentSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Reads any {@link ContentSource} as an async iterable of non-shared chunks. */
export async function* toAsyncIterable(source: ContentSource): AsyncGenerator<Uint8Array, void, undefined> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (typeof ReadableStream !== "undefined" && source instanceof ReadableStream) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

/**
 * A single-consumer async queue: one side pushes chunks, the other iterates them. Lets a
 * stream be hashed while it is being uploaded or read, without holding it in memory.
 */
export class ChunkQueue implements AsyncIterable<Uint8Array> {
  #items: Uint8Array[] = [];
  #ended = false;
  #error: unknown = undefined;
  #wake: (() => void) | undefined;

  push(chunk: Uint8Array): void {
    this.#items.push(chunk);
    this.#notify();
  }

  end(error?: unknown): void {
    this.#ended = true;
    this.#error = error;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const item = this.#items.shift();
      if (item) {
        yield item;
        continue;
      }
      if (this.#ended) {
        if (this.#error !== undefined) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}
