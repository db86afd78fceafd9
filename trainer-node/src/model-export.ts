// Exports of served models for standard tools: the merged model as a Hugging Face folder (sent as a
// tar) and GGUF f16 / q8_0 for llama.cpp and Ollama, written by the worker's `export` subcommand
// (trainer-node/worker/modelfactory_worker/export.py) in its own process, one export at a time.
// Each finished file is kept under `<dataDir>/exports/<modelId>/` and served again without redoing it.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { MODEL_EXPORT_FORMATS, describeError, type ModelExportFormat, type ModelExportStatus } from "@modelfactory/sdk";
import { writeTarFile } from "./archive.ts";
import { ApiError } from "./errors.ts";
import { runWorkerCli } from "./worker-cli.ts";

export type ExportFormat = ModelExportFormat;
export type ExportStatus = ModelExportStatus;

export type ExportSource = { modelId: string; baseModelDir: string; adapterDir: string };

export type ModelExportsOptions = {
  dataDir: string;
  workerCommand: string[];
  workerCwd: string;
  log: (message: string) => void;
  /** How long a download link stays valid (default five minutes). */
  ticketMs?: number;
};

const FILE_NAME: Record<ExportFormat, (modelId: string) => string> = {
  hf: (id) => `model-${id}-hf.tar`,
  "gguf-f16": (id) => `model-${id}-f16.gguf`,
  "gguf-q8_0": (id) => `model-${id}-q8_0.gguf`,
};

export function parseExportFormat(value: unknown): ExportFormat {
  if (typeof value === "string" && (MODEL_EXPORT_FORMATS as readonly string[]).includes(value)) return value as ExportFormat;
  throw new ApiError(400, "BAD_EXPORT_FORMAT", `Export format ${JSON.stringify(value)} is not one of ${MODEL_EXPORT_FORMATS.join(", ")}.`);
}

/**
 * Starts, tracks and serves exports. State survives a restart through the files themselves: a
 * finished export is `<file>` plus `<file>.json` (its status); a crash mid-way leaves neither.
 */
export class ModelExports {
  readonly #opts: ModelExportsOptions & { ticketMs: number };
  readonly #status = new Map<string, ExportStatus>();
  readonly #tickets = new Map<string, { modelId: string; format: ExportFormat; expires: number }>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ModelExportsOptions) {
    this.#opts = { ticketMs: 5 * 60_000, ...options };
  }

  #dir(modelId: string) {
    return path.join(this.#opts.dataDir, "exports", modelId);
  }

  #file(modelId: string, format: ExportFormat) {
    return path.join(this.#dir(modelId), FILE_NAME[format](modelId));
  }

  /** The status, from memory or from a finished export on disk; undefined when never asked for. */
  async status(modelId: string, format: ExportFormat): Promise<ExportStatus | undefined> {
    const known = this.#status.get(`${modelId}:${format}`);
    if (known) return { ...known };
    const meta = `${this.#file(modelId, format)}.json`;
    if (!existsSync(meta) || !existsSync(this.#file(modelId, format))) return undefined;
    const status = JSON.parse(await readFile(meta, "utf8")) as ExportStatus;
    this.#status.set(`${modelId}:${format}`, status);
    return { ...status };
  }

  /** Starts the export unless it is running or done; answers its status at once. */
  async request(source: ExportSource, format: ExportFormat): Promise<ExportStatus> {
    const current = await this.status(source.modelId, format);
    if (current && current.state !== "failed") return current;
    const status: ExportStatus = { modelId: source.modelId, format, state: "running", startedAt: new Date().toISOString() };
    this.#status.set(`${source.modelId}:${format}`, status);
    // One export at a time: each merges the whole model in memory.
    this.#queue = this.#queue.then(() => this.#run(source, format, status));
    return { ...status };
  }

  async #run(source: ExportSource, format: ExportFormat, status: ExportStatus): Promise<void> {
    const t0 = performance.now();
    const dir = this.#dir(source.modelId);
    const work = path.join(dir, `.work-${format}`);
    const target = this.#file(source.modelId, format);
    this.#opts.log(`export: model ${source.modelId} as ${format} (merging the adapter into ${path.basename(source.baseModelDir)})`);
    try {
      await rm(work, { recursive: true, force: true });
      await mkdir(work, { recursive: true });
      const name = `model-${source.modelId}`;
      await runWorkerCli(
        this.#opts.workerCommand,
        ["export", "--model", source.baseModelDir, "--adapter", source.adapterDir, "--out", work, "--formats", format, "--name", name],
        { cwd: this.#opts.workerCwd },
      );
      const produced = format === "hf" ? path.join(work, `${name}.tar`) : path.join(work, `${name}-${format.slice("gguf-".length)}.gguf`);
      if (format === "hf") await writeTarFile(path.join(work, name), produced);
      await rename(produced, target);
      Object.assign(status, {
        state: "ready",
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        bytes: (await stat(target)).size,
        fileName: path.basename(target),
      });
      await writeFile(`${target}.json`, JSON.stringify(status));
      this.#opts.log(`export: model ${source.modelId} as ${format} ready (${status.bytes} bytes in ${status.seconds} s)`);
    } catch (error) {
      Object.assign(status, { state: "failed", seconds: Math.round((performance.now() - t0) / 100) / 10, error: describeError(error) });
      this.#opts.log(`export: model ${source.modelId} as ${format} failed: ${status.error}`);
    } finally {
      await rm(work, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** A one-time download link for a ready export (the caller has been authorised already). */
  ticket(status: ExportStatus): ExportStatus {
    if (status.state !== "ready") return status;
    const now = Date.now();
    for (const [t, v] of this.#tickets) if (v.expires < now) this.#tickets.delete(t);
    const ticket = randomBytes(24).toString("base64url");
    const expires = now + this.#opts.ticketMs;
    this.#tickets.set(ticket, { modelId: status.modelId, format: status.format, expires });
    return {
      ...status,
      download: {
        path: `/v1/models/${status.modelId}/exports/${status.format}?ticket=${ticket}`,
        expiresAt: new Date(expires).toISOString(),
      },
    };
  }

  /** Spends a ticket: the file to send, or a 403 naming why not. */
  redeem(modelId: string, format: ExportFormat, ticket: string | null): { file: string; fileName: string } {
    const t = ticket ? this.#tickets.get(ticket) : undefined;
    if (!t || t.modelId !== modelId || t.format !== format)
      throw new ApiError(
        403,
        "EXPORT_TICKET_INVALID",
        "This download link is not valid: ask for the export again (POST /v1/models/:modelId/exports) to get a fresh link.",
      );
    this.#tickets.delete(ticket!);
    if (t.expires < Date.now())
      throw new ApiError(403, "EXPORT_TICKET_EXPIRED", "This download link has expired: ask for the export again to get a fresh one.");
    const file = this.#file(modelId, format);
    if (!existsSync(file))
      throw new ApiError(404, "EXPORT_GONE", `The ${format} export of model ${modelId} is no longer on this node: ask for it again.`);
    return { file, fileName: path.basename(file) };
  }
}
