// One-shot worker subcommands (`import-gguf`, `export`): run `<workerCommand> <args>` as its own
// process, outside the long-lived job and serving workers, and read the single JSON line it ends
// with — `{"event":"result",…}` or `{"event":"error","code","message"}`.
import { spawn } from "node:child_process";
import { TrainerNodeError } from "./errors.ts";

/** The subcommand said no (`code` is the worker's error code), or exited without a result. */
export class WorkerCliError extends TrainerNodeError {
  override name = "WorkerCliError";
  constructor(message: string, code: string) {
    super(message, { code });
  }
}

export type WorkerCliOptions = { cwd: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal };

/**
 * Runs the worker with `args` and resolves with its result object; rejects with the worker's own
 * message, or with the exit status and the last lines of its stderr.
 *
 * @example
 * const r = await runWorkerCli(config.workerCommand, ["export", "--model", base, "--out", dir], { cwd: config.workerCwd });
 */
export function runWorkerCli(
  workerCommand: readonly string[],
  args: readonly string[],
  options: WorkerCliOptions,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const [cmd, ...pre] = workerCommand;
    const child = spawn(cmd!, [...pre, ...args], {
      cwd: options.cwd,
      env: { ...process.env, HF_HUB_OFFLINE: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let stdout = "";
    let stderr = "";
    // Only the tail matters: the result is the last line, the reason of a crash the last lines.
    child.stdout.on("data", (c: Buffer) => (stdout = (stdout + c.toString()).slice(-64_000)));
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    child.on("error", (error) => reject(new WorkerCliError(`the worker's ${args[0]} could not start: ${error.message}`, "internal")));
    child.on("close", (code, signal) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      let event: { event?: string; code?: string; message?: string; result?: Record<string, unknown> } | undefined;
      try {
        event = JSON.parse(last) as typeof event;
      } catch {
        event = undefined;
      }
      if (code === 0 && event?.event === "result" && event.result) return resolve(event.result);
      if (event?.event === "error") return reject(new WorkerCliError(event.message ?? `${args[0]} failed`, event.code ?? "internal"));
      const tail = stderr.trim().split("\n").slice(-3).join(" | ");
      reject(
        new WorkerCliError(
          `the worker's ${args[0]} exited with ${signal ?? `status ${code}`}: ${tail || "no output"}`,
          signal === "SIGKILL" ? "out_of_memory" : "internal",
        ),
      );
    });
  });
}
