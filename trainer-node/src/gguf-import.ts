// GGUF files in a node's models folder become base models: each `X.gguf` is converted once, by the
// worker's `import-gguf`, into the Hugging Face folder `X/` beside it, which the scanner then offers.
// The outcome is remembered per file (size and mtime) in `.gguf-imports/`, so a file the worker
// cannot read is reported once with its reason and not converted again until it changes.
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { TrainerNodeError } from "./errors.ts";
import { runWorkerCli, WorkerCliError } from "./worker-cli.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const STATE_DIR = ".gguf-imports";

/** Converts `file` into the model folder `outDir`; rejects with the reason it cannot. */
export type GgufImporter = (file: string, outDir: string) => Promise<void>;

/** The worker said no (the file is unreadable or unsupported): remembered, not retried. `code` is the worker's error code. */
export class GgufImportError extends TrainerNodeError {
  override name = "GgufImportError";
  constructor(message: string, code: string) {
    super(message, { code });
  }
}

type ImportState = { file: string; size: number; mtimeMs: number; status: "converted" | "failed"; error?: string; at: string };

/**
 * Runs `<workerCommand> import-gguf FILE --out DIR --name STEM` (default: the repository's worker venv)
 * and reads its one JSON result line.
 *
 * @example
 * await scanBaseModels(dir, log, { importGguf: workerGgufImporter(config.workerCommand, config.workerCwd) });
 */
export function workerGgufImporter(
  workerCommand: string[] = [path.join(REPO_ROOT, "trainer-node/worker/.venv/bin/python"), "-m", "modelfactory_worker"],
  cwd: string = path.join(REPO_ROOT, "trainer-node/worker"),
): GgufImporter {
  return async (file, outDir) => {
    try {
      await runWorkerCli(workerCommand, ["import-gguf", file, "--out", outDir, "--name", path.basename(outDir)], { cwd });
    } catch (error) {
      if (error instanceof WorkerCliError) throw new GgufImportError(error.message, error.code ?? "internal");
      throw error;
    }
  };
}

async function readState(file: string): Promise<ImportState | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as ImportState;
  } catch {
    return undefined;
  }
}

/**
 * Converts every `*.gguf` file of `modelsDir` that has no current conversion. Never throws: a file
 * that cannot be converted is reported through `warn` (its name and the reason) and skipped.
 */
export async function importGgufFiles(modelsDir: string, importer: GgufImporter, warn: (message: string) => void): Promise<void> {
  const files = (await readdir(modelsDir, { withFileTypes: true })).filter(
    (e) => !e.isDirectory() && /\.gguf$/i.test(e.name) && !e.name.startsWith("."),
  );
  for (const entry of files) {
    const file = path.join(modelsDir, entry.name);
    const stem = entry.name.replace(/\.gguf$/i, "");
    const outDir = path.join(modelsDir, stem);
    const stateFile = path.join(modelsDir, STATE_DIR, `${entry.name}.json`);
    try {
      const { size, mtimeMs } = await stat(file);
      const state = await readState(stateFile);
      const unchanged = state?.size === size && state.mtimeMs === mtimeMs;
      if (unchanged && state.status === "failed") {
        warn(`models: skipping ${entry.name}: ${state.error} (found at ${state.at}; replace the file to try again)`);
        continue;
      }
      if (unchanged && state.status === "converted" && existsSync(path.join(outDir, "config.json"))) continue;
      if (existsSync(outDir) && !existsSync(path.join(outDir, "modelfactory-source.json"))) {
        warn(`models: skipping ${entry.name}: the folder ${stem}/ exists and is not a GGUF conversion (rename one of them)`);
        continue;
      }
      warn(`models: converting ${entry.name} (${(size / 1e6).toFixed(0)} MB) into ${stem}/ once, with the worker's import-gguf ...`);
      const started = Date.now();
      let failure: string | undefined;
      try {
        await importer(file, outDir);
      } catch (error) {
        if (!(error instanceof GgufImportError)) throw error; // the worker did not run: retried next scan
        failure = error.message;
      }
      await mkdir(path.dirname(stateFile), { recursive: true });
      const record: ImportState = {
        file: entry.name,
        size,
        mtimeMs,
        status: failure ? "failed" : "converted",
        at: new Date().toISOString(),
      };
      if (failure) record.error = failure;
      await writeFile(stateFile, JSON.stringify(record, null, 2) + "\n");
      if (failure) warn(`models: skipping ${entry.name}: ${failure}`);
      else warn(`models: ${entry.name} converted into ${stem}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      warn(`models: skipping ${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
