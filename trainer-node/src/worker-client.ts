// Drives one model-worker process over its JSON-lines protocol (trainer-node/worker/PROTOCOL.md):
// one typed request per command, every event and result checked against the protocol's schemas
// where it enters (worker-schema.ts), progress/token events routed to their command, and a crash,
// a hang, an error event or a malformed line turned into a rejected promise — never a silent wait.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { TrainerNodeError } from "./errors.ts";
import {
  WORKER_PROTOCOL,
  type CommandArgs,
  type CommandEvents,
  type CommandResults,
  type ReadyEvent,
  type WorkerCommandName,
  type WorkerEvent,
} from "./worker-protocol.ts";
import { WorkerProtocolError, workerSchemas } from "./worker-schema.ts";

export { WORKER_PROTOCOL, WorkerProtocolError };

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

export type RequestOptions<C extends WorkerCommandName = WorkerCommandName> = {
  /** The command's events before its result (`train`: progress and checkpoint; `generate`: token). */
  onEvent?: (event: CommandEvents[C]) => void;
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
  cmd: WorkerCommandName;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (event: never) => void;
  hangMs: number;
  timer: NodeJS.Timeout;
};

export class WorkerClient {
  readonly ready: Promise<ReadyEvent>;
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
    let markReady: (e: ReadyEvent) => void;
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
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        this.options.onLog?.(`[worker stdout, not JSON] ${line}`);
        return;
      }
      if ((raw as { event?: unknown } | null)?.event === "ready") {
        clearTimeout(readyTimer);
        const protocol = (raw as { protocol?: unknown }).protocol;
        if (protocol !== WORKER_PROTOCOL) {
          failReady(
            new WorkerCrashedError(`The worker speaks ${String(protocol)}, this node needs ${WORKER_PROTOCOL}.`, {
              code: "WORKER_PROTOCOL",
            }),
          );
          this.kill();
          return;
        }
        try {
          markReady(workerSchemas().event(raw) as ReadyEvent);
        } catch (error) {
          failReady(error as Error);
          this.kill();
        }
        return;
      }
      this.dispatch(raw);
    });
    createInterface({ input: this.child.stderr! }).on("line", (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
      this.options.onLog?.(line);
    });
    // Writing to a worker that has just died (killed for hanging, or crashed) fails with EPIPE as
    // an event on the pipe, after the write returned; unheard, it would crash the node. Its exit
    // is reported by the "exit" handler below.
    this.child.stdin!.on("error", (error) => {
      this.options.onLog?.(`[worker stdin] ${error.message}: the worker is gone or closed its input`);
    });
    this.child.on("error", (error) => {
      clearTimeout(readyTimer);
      failReady(
        new WorkerCrashedError(`Cannot start the model worker (${options.command.join(" ")}): ${error.message}`, {
          code: "WORKER_SPAWN",
          cause: error,
        }),
      );
    });
    this.child.on("exit", (code, signal) => {
      clearTimeout(readyTimer);
      this.exited = { code, signal };
      const tail = this.stderrTail.slice(-5).join("\n");
      const error = new WorkerCrashedError(
        `The model worker exited (${signal ?? `code ${code}`}) while running ${[...this.pending.values()].map((p) => p.cmd).join(", ") || "nothing"}.`,
        { code: "WORKER_CRASHED", details: tail || undefined, meta: { exitCode: code, signal } },
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

  /**
   * Sends `cmd` and resolves with its result, checked against the protocol's schema; rejects on
   * an error event (WorkerCommandError), a malformed event or result (WorkerProtocolError), a
   * crash or a hang (WorkerCrashedError).
   *
   * @example
   * const loaded = await worker.request("load", { model: "/models/tiny", quantization: "nf4" });
   * loaded.quantized.bits_per_parameter; // number | undefined
   */
  async request<C extends WorkerCommandName>(cmd: C, args: CommandArgs[C], options: RequestOptions<C> = {}): Promise<CommandResults[C]> {
    await this.ready;
    if (!this.alive) throw new WorkerCrashedError("The model worker is not running.", { code: "WORKER_CRASHED" });
    const id = `c${this.nextId++}`;
    const hangMs = options.hangMs ?? this.options.hangMs;
    return new Promise<CommandResults[C]>((resolve, reject) => {
      const pending: Pending = {
        cmd,
        resolve: resolve as (r: unknown) => void,
        reject,
        onEvent: options.onEvent as ((e: never) => void) | undefined,
        hangMs,
        timer: setTimeout(() => this.hung(id), hangMs),
      };
      this.pending.set(id, pending);
      this.child.stdin!.write(JSON.stringify({ protocol: WORKER_PROTOCOL, id, cmd, ...args }) + "\n");
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

  private dispatch(raw: unknown): void {
    const rawId = (raw as { id?: unknown } | null)?.id;
    const id = typeof rawId === "string" || typeof rawId === "number" ? String(rawId) : null;
    const p = id === null ? undefined : this.pending.get(id);
    let event: WorkerEvent;
    try {
      event = workerSchemas().event(raw);
    } catch (error) {
      this.options.onLog?.(`[worker line not in the protocol] ${(error as Error).message}: ${JSON.stringify(raw).slice(0, 500)}`);
      if (p) this.settle(id!, p, () => p.reject(error as Error), true);
      return;
    }
    if (!p) {
      if (event.event === "error") this.options.onLog?.(`[worker error] ${JSON.stringify(event)}`);
      return;
    }
    if (event.event === "result") {
      if (event.cmd !== p.cmd) {
        this.settle(id!, p, () => p.reject(new WorkerProtocolError(`${p.cmd} result`, `arrived as a result of '${event.cmd}'`)), true);
        return;
      }
      let result: unknown;
      try {
        result = workerSchemas().result(p.cmd, event.result);
      } catch (error) {
        this.settle(id!, p, () => p.reject(error as Error), false);
        return;
      }
      this.settle(id!, p, () => p.resolve(result), false);
    } else if (event.event === "error") {
      const code = event.code;
      this.settle(
        id!,
        p,
        () => p.reject(new WorkerCommandError(event.message, { code, meta: { workerCode: code, workerDetails: event.details } })),
        false,
      );
    } else {
      clearTimeout(p.timer);
      p.timer = setTimeout(() => this.hung(id!), p.hangMs);
      p.onEvent?.(event as never);
    }
  }

  /** Ends a pending command; one that is still running in the worker (`stop`) is cancelled there. */
  private settle(id: string, p: Pending, end: () => void, stop: boolean): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
    if (stop && this.alive)
      this.child.stdin!.write(JSON.stringify({ protocol: WORKER_PROTOCOL, id: `x${this.nextId++}`, cmd: "cancel", target: id }) + "\n");
    end();
  }

  private hung(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(
      new WorkerCrashedError(`The model worker sent nothing for ${Math.round(p.hangMs / 1000)} s during '${p.cmd}'; it was stopped.`, {
        code: "WORKER_HUNG",
      }),
    );
    this.kill();
  }
}
