// Drives one model-worker process over its JSON-lines protocol (trainer-node/worker/PROTOCOL.md):
// correlates commands and events by id, routes progress/token events to their command, and
// turns a crash, a hang or an error event into a rejected promise — never a silent wait.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { TrainerNodeError } from "./errors.ts";

export const WORKER_PROTOCOL = "modelfactory.worker/1";

/** An event line from the worker. */
export type WorkerEvent = { event: string; id: string | number | null; [key: string]: unknown };

export type WorkerClientOptions = {
  command: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** A command that produces no event for this long is considered hung; the worker is killed. */
  hangMs: number;
  /** Limit for the worker to announce itself ready. Default: `hangMs`. */
  startMs?: number;
  /** Called with every stderr line (library logs). */
  onLog?: (line: string) => void;
};

export type RequestOptions = {
  onEvent?: (event: WorkerEvent) => void;
  /** Hang limit for this command, overriding the client's (e.g. long evaluations). */
  hangMs?: number;
};

/** The worker failed a command with an error event; `code` is the worker's error code. */
export class WorkerCommandError extends TrainerNodeError {
  override name = "WorkerCommandError";
}

/** The worker process exited or hung while commands were running. */
export class WorkerCrashedError extends TrainerNodeError {
  override name = "WorkerCrashedError";
}

type Pending = {
  cmd: string;
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  onEvent?: (event: WorkerEvent) => void;
  hangMs: number;
  timer: NodeJS.Timeout;
};

export class WorkerClient {
  readonly ready: Promise<WorkerEvent>;
  private readonly child: ChildProcess;
  private readonly pending = new Map<string, Pending>();
  private readonly options: WorkerClientOptions;
  private nextId = 1;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private stderrTail: string[] = [];

  constructor(options: WorkerClientOptions) {
    this.options = options;
    const [bin, ...args] = options.command;
    this.child = spawn(bin!, args, {
      cwd: options.cwd,
      env: { ...process.env, HF_HUB_OFFLINE: "1", TRANSFORMERS_OFFLINE: "1", PYTHONUNBUFFERED: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let markReady: (e: WorkerEvent) => void;
    let failReady: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.ready.catch(() => undefined);
    const startMs = options.startMs ?? options.hangMs;
    const readyTimer = setTimeout(() => {
      failReady(new WorkerCrashedError(`The model worker did not start within ${startMs / 1000} s.`, { code: "WORKER_START_TIMEOUT" }));
      this.kill();
    }, startMs);
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      let event: WorkerEvent;
      try {
        event = JSON.parse(line) as WorkerEvent;
      } catch {
        this.options.onLog?.(`[worker stdout, not JSON] ${line}`);
        return;
      }
      if (event.event === "ready") {
        clearTimeout(readyTimer);
        if (event.protocol !== WORKER_PROTOCOL) {
          failReady(new WorkerCrashedError(`The worker speaks ${String(event.protocol)}, this node needs ${WORKER_PROTOCOL}.`, { code: "WORKER_PROTOCOL" }));
          this.kill();
          return;
        }
        markReady(event);
        return;
      }
      this.dispatch(event);
    });
    createInterface({ input: this.child.stderr! }).on("line", (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
      this.options.onLog?.(line);
    });
    this.child.on("error", (error) => {
      clearTimeout(readyTimer);
      failReady(new WorkerCrashedError(`Cannot start the model worker (${options.command.join(" ")}): ${error.message}`, { code: "WORKER_SPAWN", cause: error }));
    });
    this.child.on("exit", (code, signal) => {
      clearTimeout(readyTimer);
      this.exited = { code, signal };
      const tail = this.stderrTail.slice(-5).join("\n");
      const error = new WorkerCrashedError(
        `The model worker exited (${signal ?? `code ${code}`}) while running ${[...this.pending.values()].map((p) => p.cmd).join(", ") || "nothing"}.`,
        { code: "WORKER_CRASHED", details: tail || undefined },
      );
      failReady(error);
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(error);
        this.pending.delete(id);
      }
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Sends a command and resolves with its result (rejects on an error event, crash or hang). */
  async request(cmd: string, fields: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    await this.ready;
    if (!this.alive) throw new WorkerCrashedError("The model worker is not running.", { code: "WORKER_CRASHED" });
    const id = `c${this.nextId++}`;
    const hangMs = options.hangMs ?? this.options.hangMs;
    return new Promise((resolve, reject) => {
      const pending: Pending = { cmd, resolve, reject, onEvent: options.onEvent, hangMs, timer: setTimeout(() => this.hung(id), hangMs) };
      this.pending.set(id, pending);
      this.child.stdin!.write(JSON.stringify({ protocol: WORKER_PROTOCOL, id, cmd, ...fields }) + "\n");
    });
  }

  /** Asks the worker to stop the command `target` within a step; resolves when acknowledged. */
  async cancelAll(): Promise<void> {
    const ids = [...this.pending.keys()];
    for (const target of ids) {
      this.child.stdin!.write(JSON.stringify({ protocol: WORKER_PROTOCOL, id: `x${this.nextId++}`, cmd: "cancel", target }) + "\n");
    }
  }

  /** Graceful shutdown, then SIGKILL if the worker does not exit within `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
    try {
      this.child.stdin!.write(JSON.stringify({ protocol: WORKER_PROTOCOL, id: `x${this.nextId++}`, cmd: "shutdown" }) + "\n");
      this.child.stdin!.end();
    } catch {
      /* stdin already closed */
    }
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.alive) this.child.kill("SIGKILL");
  }

  private dispatch(event: WorkerEvent): void {
    const id = event.id === null ? null : String(event.id);
    const p = id === null ? undefined : this.pending.get(id);
    if (!p) {
      if (event.event === "error") this.options.onLog?.(`[worker error] ${JSON.stringify(event)}`);
      return;
    }
    clearTimeout(p.timer);
    if (event.event === "result") {
      this.pending.delete(id!);
      p.resolve((event.result ?? {}) as Record<string, unknown>);
    } else if (event.event === "error") {
      this.pending.delete(id!);
      const code = String(event.code ?? "worker_error");
      p.reject(new WorkerCommandError(String(event.message ?? `worker error ${code}`), { code, meta: { workerCode: code, detail: event.detail } }));
    } else {
      p.timer = setTimeout(() => this.hung(id!), p.hangMs);
      p.onEvent?.(event);
    }
  }

  private hung(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(new WorkerCrashedError(`The model worker sent nothing for ${Math.round(p.hangMs / 1000)} s during '${p.cmd}'; it was stopped.`, { code: "WORKER_HUNG" }));
    this.kill();
  }
}
