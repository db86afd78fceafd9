// The real model worker driven line by line, for protocol tests: every stdout line is kept as it
// was sent (nothing is checked or relaxed here), and a command resolves with its events and its
// result or error line. One torch thread, as in stack.ts (the tiny model gains nothing from two).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { WORKER_DIR, WORKER_PYTHON } from "./stack.ts";

export type Line = Record<string, unknown> & { event: string; id: string | number | null };
export type Answer = { events: Line[]; end: Line };

export class RawWorker {
  readonly lines: Line[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, { events: Line[]; done: (a: Answer) => void }>();
  private readyLine: Promise<Line>;
  private nextId = 1;

  constructor(env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(WORKER_PYTHON, ["-m", "modelfactory_worker"], {
      cwd: WORKER_DIR,
      env: { ...process.env, HF_HUB_OFFLINE: "1", PYTHONUNBUFFERED: "1", MODELFACTORY_WORKER_THREADS: "1", ...env },
      stdio: ["pipe", "pipe", "inherit"],
    });
    let ready: (l: Line) => void;
    this.readyLine = new Promise((r) => (ready = r));
    this.exited = new Promise((r) => this.child.on("exit", (code) => r(code)));
    createInterface({ input: this.child.stdout! }).on("line", (text) => {
      const line = JSON.parse(text) as Line;
      this.lines.push(line);
      if (line.event === "ready") return ready(line);
      const w = line.id === null ? undefined : this.waiting.get(String(line.id));
      if (!w) return;
      if (line.event === "result" || line.event === "error") {
        this.waiting.delete(String(line.id));
        w.done({ events: w.events, end: line });
      } else {
        w.events.push(line);
      }
    });
  }

  ready(): Promise<Line> {
    return this.readyLine;
  }

  /** Writes a command; `onEvent` sees its events as they come (e.g. to cancel it). */
  send(
    cmd: string,
    fields: Record<string, unknown> = {},
    onEvent?: (line: Line, id: string) => void,
  ): { id: string; answer: Promise<Answer> } {
    const id = `t${this.nextId++}`;
    const answer = new Promise<Answer>((done) => {
      const events: Line[] = [];
      const w = { events, done };
      if (onEvent) {
        const push = events.push.bind(events);
        events.push = (...ls: Line[]) => {
          const n = push(...ls);
          for (const l of ls) onEvent(l, id);
          return n;
        };
      }
      this.waiting.set(id, w);
    });
    this.child.stdin!.write(JSON.stringify({ protocol: "modelfactory.worker/1", id, cmd, ...fields }) + "\n");
    return { id, answer };
  }

  /** Sends `cmd` and waits for its result (or error) line. */
  request(cmd: string, fields: Record<string, unknown> = {}): Promise<Answer> {
    return this.send(cmd, fields).answer;
  }

  /** Writes a raw line (for malformed input). */
  write(text: string): void {
    this.child.stdin!.write(text + "\n");
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}
