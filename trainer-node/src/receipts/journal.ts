// An append-only JSON-lines file, synced to disk before an append resolves. Appends that arrive
// while a write is in flight are written and synced together (group commit), so durability
// costs one fsync per burst, not per receipt. A torn last line (a crash mid-write) is cut off
// on open; a damaged line anywhere else is an error, never skipped in silence.
import { mkdir, open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { ReceiptJournalError } from "./errors.ts";

type Waiter = { resolve: () => void; reject: (e: unknown) => void };

export class Journal<T> {
  readonly file: string;
  readonly #fh: FileHandle;
  #queue: string[] = [];
  #waiters: Waiter[] = [];
  #writing: Promise<void> | null = null;
  #closed = false;

  private constructor(file: string, fh: FileHandle) {
    this.file = file;
    this.#fh = fh;
  }

  /** Opens (creating) `file` and returns it with every entry already in it, in order. */
  static async open<T>(file: string): Promise<{ journal: Journal<T>; entries: T[] }> {
    try {
      await mkdir(path.dirname(file), { recursive: true });
      const fh = await open(file, "a+");
      const bytes = await fh.readFile();
      const text = bytes.toString("utf8");
      const entries: T[] = [];
      let good = 0;
      const lines = text.split("\n");
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        const last = i === lines.length - 1;
        if (line.length === 0) {
          if (!last) good += 1;
          continue;
        }
        try {
          entries.push(JSON.parse(line) as T);
          good += Buffer.byteLength(line) + (last ? 0 : 1);
        } catch (cause) {
          if (!last) {
            await fh.close();
            throw new ReceiptJournalError(`Line ${i + 1} of ${file} is not valid JSON.`, { cause, meta: { file, line: i + 1 } });
          }
        }
      }
      if (good !== bytes.length) {
        await fh.truncate(good);
        await fh.datasync();
      }
      if (good > 0 && bytes[good - 1] !== 0x0a) await fh.appendFile("\n");
      return { journal: new Journal<T>(file, fh), entries };
    } catch (cause) {
      if (cause instanceof ReceiptJournalError) throw cause;
      throw new ReceiptJournalError(`Cannot open the receipts journal ${file}.`, { cause, meta: { file } });
    }
  }

  /** Appends `entries` and resolves once they are on disk. */
  append(...entries: T[]): Promise<void> {
    if (this.#closed) return Promise.reject(new ReceiptJournalError(`The journal ${this.file} is closed.`));
    for (const e of entries) this.#queue.push(`${JSON.stringify(e)}\n`);
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (!this.#writing) this.#writing = this.#drain();
    return done;
  }

  async close(): Promise<void> {
    this.#closed = true;
    while (this.#writing) await this.#writing;
    await this.#fh.close();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length) {
      const text = this.#queue.join("");
      const waiters = this.#waiters;
      this.#queue = [];
      this.#waiters = [];
      try {
        await this.#fh.appendFile(text);
        await this.#fh.datasync();
        for (const w of waiters) w.resolve();
      } catch (cause) {
        const error = new ReceiptJournalError(`Writing the receipts journal ${this.file} failed.`, { cause, meta: { file: this.file } });
        for (const w of waiters) w.reject(error);
      }
    }
    this.#writing = null;
  }
}
