// A Server-Sent Events reader over fetch (EventSource cannot set headers), so a stream can be
// resumed with `Last-Event-ID` after a drop without losing or repeating events.

export type SseMessage = { id: string | null; event: string; data: string };

/** Incremental parser: feed text chunks, get complete messages. */
export class SseParser {
  #buffer = "";
  #id: string | null = null;
  #event = "";
  #data: string[] = [];

  push(chunk: string): SseMessage[] {
    this.#buffer += chunk;
    const out: SseMessage[] = [];
    let nl: number;
    while ((nl = this.#buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + (this.#buffer.startsWith("\r\n", nl) ? 2 : 1));
      if (line === "") {
        if (this.#data.length > 0) out.push({ id: this.#id, event: this.#event || "message", data: this.#data.join("\n") });
        this.#event = "";
        this.#data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") this.#data.push(value);
      else if (field === "event") this.#event = value;
      else if (field === "id") this.#id = value;
    }
    return out;
  }
}

export type SseStreamOptions = {
  url: string;
  headers?: Record<string, string>;
  lastEventId?: string | null;
  onMessage: (message: SseMessage) => void;
  /** Called with "open", "reconnecting" (and the error) or "closed". */
  onStatus?: (status: "open" | "reconnecting" | "closed", error?: unknown) => void;
  signal: AbortSignal;
  /** Delay before reconnecting, doubled up to 10 s. */
  retryMs?: number;
};

/** Reads a stream until `signal` aborts, reconnecting with the last seen event id. */
export async function followSse(options: SseStreamOptions): Promise<void> {
  let lastId = options.lastEventId ?? null;
  let delay = options.retryMs ?? 500;
  while (!options.signal.aborted) {
    try {
      const response = await fetch(options.url, {
        headers: { Accept: "text/event-stream", ...options.headers, ...(lastId ? { "Last-Event-ID": lastId } : {}) },
        signal: options.signal,
      });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      options.onStatus?.("open");
      delay = options.retryMs ?? 500;
      const parser = new SseParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const message of parser.push(value)) {
          if (message.id !== null) lastId = message.id;
          options.onMessage(message);
        }
      }
      options.onStatus?.("closed");
      return;
    } catch (error) {
      if (options.signal.aborted) return;
      options.onStatus?.("reconnecting", error);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}
