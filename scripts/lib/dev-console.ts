// What `npm run dev` shows: each service's and step's whole output goes to its own log file
// (.data/dev/logs/<name>.log); the terminal gets one line per event that matters (a service
// up, a step done, a warning or error from any of them) and, on a failure, the last lines of
// the failing log with its path. `--verbose` streams every line as well, prefixed by service.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";

const COLORS = [36, 35, 33, 32, 34, 31];

/**
 * Whether a service's log line belongs on the terminal in quiet mode: warnings and errors,
 * minus the ones a service prints on every healthy start (Hardhat's notice that its
 * well-known keys are public).
 */
export function mattersOnScreen(service: string, line: string): boolean {
  const text = line.replace(/\x1b\[[0-9;]*m/g, "").trim();
  if (!text) return false;
  if (service === "chain" && /Funds sent on live network|publicly known private keys/i.test(text)) return false;
  // Node's notice that node:sqlite is experimental, printed by every service that stores data.
  if (/ExperimentalWarning|--trace-warnings/.test(text)) return false;
  // The subgraph runner's own levels (`<ISO time> <level> <message>`).
  const runnerLevel = /^\d{4}-\d\d-\d\dT\S+\s+(critical|error|warning|info|debug)\s/.exec(text);
  if (runnerLevel) return runnerLevel[1] !== "info" && runnerLevel[1] !== "debug";
  return /\b(error|errors|warn|warning|fail|failed|failure|fatal|exception|traceback|critical|unhandled|refused|panic)\b/i.test(text);
}

/** The last `n` non-empty lines of a log file ("" when it cannot be read). */
export function lastLines(file: string, n: number): string[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(-n);
  } catch {
    return [];
  }
}

export type DevConsoleOptions = {
  /** Folder of the log files. */
  logDir: string;
  /** Stream every line of every service too. */
  verbose: boolean;
  /** The repository root, to print log paths relative to it. */
  root: string;
  /** Where lines go (the terminal); `isTTY` decides whether the progress line is redrawn in place. */
  out?: NodeJS.WriteStream | { write: (s: string) => boolean; isTTY?: boolean };
};

/** The terminal of `npm run dev`: quiet lines, per-service log files, one live progress line. */
export class DevConsole {
  readonly logDir: string;
  readonly verbose: boolean;
  private readonly root: string;
  private readonly out: NonNullable<DevConsoleOptions["out"]>;
  /** Open log files of services (written synchronously, so a tail read right after is complete). */
  private readonly files = new Map<string, number>();
  private colorIndex = 0;
  /** The progress line currently drawn on a TTY (erased before any other line is written). */
  private live = "";

  constructor(options: DevConsoleOptions) {
    this.logDir = options.logDir;
    this.verbose = options.verbose;
    this.root = options.root;
    this.out = options.out ?? process.stdout;
  }

  /** The log file of `name`, relative to the repository root when inside it. */
  logPath(name: string): string {
    return this.shown(path.join(this.logDir, `${name}.log`));
  }

  /** The log folder as printed. */
  get logFolder(): string {
    return this.shown(this.logDir);
  }

  private shown(file: string): string {
    const rel = path.relative(this.root, file);
    return rel.startsWith("..") ? file : rel;
  }

  private file(name: string): string {
    mkdirSync(this.logDir, { recursive: true });
    return path.join(this.logDir, `${name}.log`);
  }

  /** Prints one line above the progress line. */
  line(text: string): void {
    if (this.live && this.out.isTTY) this.out.write("\r\x1b[2K");
    this.out.write(text + "\n");
    if (this.live && this.out.isTTY) this.out.write(this.live);
  }

  /** True when the progress line is redrawn in place (a TTY), so it may be drawn at every change. */
  get liveProgress(): boolean {
    return this.out.isTTY === true;
  }

  /** Draws the progress line: in place on a TTY; elsewhere the caller decides how often. */
  progress(text: string): void {
    if (this.out.isTTY) {
      this.live = text;
      this.out.write(`\r\x1b[2K${text}`);
    } else {
      this.out.write(text + "\n");
    }
  }

  /** Ends the progress line (leaves its last state on screen). */
  endProgress(): void {
    if (this.live && this.out.isTTY) this.out.write("\n");
    this.live = "";
  }

  /** Sends a child's output to its log file, the lines that matter (or all, verbose) to the screen. */
  attach(name: string, child: ChildProcess): void {
    const fd = openSync(this.file(name), "a");
    this.files.set(name, fd);
    const prefix = `\x1b[${COLORS[this.colorIndex++ % COLORS.length]}m${name.padEnd(10)}\x1b[0m│ `;
    let pending = "";
    const write = (chunk: Buffer) => {
      writeSync(fd, chunk);
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) if (this.verbose || mattersOnScreen(name, l)) this.line(prefix + l);
    };
    child.stdout?.on("data", write);
    child.stderr?.on("data", write);
  }

  /** Prints the last lines of a log and its path: what a failing service or step said. */
  async explain(name: string, lines = 25): Promise<void> {
    const tail = lastLines(this.file(name), lines);
    if (tail.length === 0) {
      this.line(`  (${this.logPath(name)} is empty)`);
      return;
    }
    this.line(`  ${tail.length === 1 ? "last line" : `last ${tail.length} lines`} of ${this.logPath(name)}:`);
    for (const l of tail) this.line(`  │ ${l}`);
  }

  /**
   * Runs a set-up step (a shell command) to completion with its output in its log file, or on
   * the terminal when verbose. Throws, after printing the log's tail, when it fails.
   */
  async step(name: string, title: string, command: string, cwd: string, env: NodeJS.ProcessEnv, show?: RegExp): Promise<void> {
    const t0 = performance.now();
    const fd = openSync(this.file(name), "a");
    writeSync(fd, `$ ${command}\n`);
    const child = spawn(command, { cwd, shell: true, env, stdio: ["ignore", "pipe", "pipe"] });
    const shown: string[] = [];
    let pending = "";
    const write = (chunk: Buffer) => {
      writeSync(fd, chunk);
      if (this.verbose) this.out.write(chunk.toString());
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) if (!this.verbose && ((show && show.test(l)) || mattersOnScreen(name, l))) shown.push(l);
    };
    child.stdout!.on("data", write);
    child.stderr!.on("data", write);
    const code = await new Promise<number | null>((resolve) => {
      child.once("close", (c, signal) => resolve(c ?? (signal ? 128 : null)));
      child.once("error", () => resolve(127));
    });
    closeSync(fd);
    if (code !== 0) {
      this.line(`✖ ${title} failed (exit code ${code})`);
      await this.explain(name);
      throw new StepFailed(title, this.logPath(name));
    }
    this.line(`▸ ${title} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    for (const l of shown) this.line(`  ${l.trim()}`);
  }

  close(): void {
    for (const fd of this.files.values()) closeSync(fd);
    this.files.clear();
  }
}

/** A step or service failed; its log's tail is already on screen. */
export class StepFailed extends Error {
  constructor(what: string, log: string) {
    super(`${what} failed; its whole output is in ${log}.`);
  }
}
