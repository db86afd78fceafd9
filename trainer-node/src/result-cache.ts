// Result cache (opt-in, MF_RESULT_CACHE_DIR): a job whose every input is byte-identical to an
// earlier completed run on this node — the base model's files, the worker's code, the train
// config, the train and eval records, the evaluation settings — reuses that run's adapter,
// progress curve and evaluation instead of training again. The adapter it publishes is the
// same bytes the earlier run produced, so the on-chain adapter hash is what training would give
// (CPU training is deterministic for a fixed seed). `npm run dev` turns it on so that the demo
// job of a second start completes in seconds; a node sharing GPUs across builders may want it
// off, and it is off by default.
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TrainingInfluenceProbe } from "@modelfactory/sdk";
import { checkProbe } from "./influence-probe.ts";
import type { EvaluateArgs, EvaluateResult, LoadResult, ProgressEvent, TrainConfig, TrainResult } from "./worker-protocol.ts";
import type { InfluenceIndexResult } from "./worker-results.ts";
import { workerSchemas } from "./worker-schema.ts";

/** Everything a cached run hands back: the worker's results and events, as it sent them. */
export type CachedRun = {
  /** The `load` result of the base model (device, measured quantization). */
  loaded: LoadResult;
  trained: TrainResult;
  evaluated: EvaluateResult;
  /** The worker's progress events, in order, for the dashboard's curves. */
  progress: ProgressEvent[];
  /** The training-influence index built after training (its file is kept in the entry); absent in older entries. */
  influence?: InfluenceIndexResult;
  /** The report's training-influence probe, measured with that index; absent in older entries and without an index. */
  probe?: TrainingInfluenceProbe;
};

export type CacheInputs = {
  modelDir: string;
  workerDir: string;
  trainConfig: TrainConfig;
  quantization: string;
  trainFile: string;
  evalFile: string;
  evaluateArgs: Omit<EvaluateArgs, "data">;
  /** How the training-influence index is built (influence-index.ts): a change builds a new one. */
  influenceSettings?: Record<string, number>;
};

// 2: entries hold the `load` result too, and are checked against the worker protocol's schemas.
const SCHEMA = "modelfactory.result-cache/2";
const KEY = /^[0-9a-f]{64}$/;
const INDEX_FILE = "influence-index.safetensors";
const hashMemo = new Map<string, string>();

async function fileHash(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** fileHash, remembered per (path, size, mtime): model weights and worker sources are hashed once per process, not per job. */
async function stableFileHash(file: string): Promise<string> {
  const s = await stat(file);
  const memo = `${file}\0${s.size}\0${s.mtimeMs}`;
  let digest = hashMemo.get(memo);
  if (!digest) hashMemo.set(memo, (digest = await fileHash(file)));
  return digest;
}

/** sha256 of every file under `dir` (names and contents, sorted; caches and virtualenvs skipped). */
async function treeHash(dir: string, keep: (name: string) => boolean): Promise<string> {
  const h = createHash("sha256");
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith(".") && e.name !== "__pycache__") await walk(child);
      } else if (e.isFile() && keep(e.name)) {
        h.update(`${child}\0${await stableFileHash(path.join(dir, child))}\n`);
      }
    }
  };
  await walk("");
  return h.digest("hex");
}

/** The key of a run: sha256 over the hashes of all its inputs. */
export async function runKey(inputs: CacheInputs): Promise<string> {
  const worker = await treeHash(path.join(inputs.workerDir, "modelfactory_worker"), (n) => n.endsWith(".py"));
  const model = await treeHash(inputs.modelDir, (n) => !n.endsWith(".md"));
  // Checkpoint frequency does not change the result; evaluation frequency does (the best
  // evaluation's weights are the ones published), so it stays in the key.
  const { checkpoint_every: _c, ...config } = inputs.trainConfig;
  const doc = {
    schema: SCHEMA,
    worker,
    model,
    config,
    quantization: inputs.quantization,
    train: await fileHash(inputs.trainFile),
    eval: await fileHash(inputs.evalFile),
    evaluate: inputs.evaluateArgs,
    ...(inputs.influenceSettings ? { influence: inputs.influenceSettings } : {}),
  };
  return createHash("sha256").update(JSON.stringify(doc)).digest("hex");
}

export class ResultCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private entry(key: string): string {
    if (!KEY.test(key)) throw new Error(`result cache: malformed key ${JSON.stringify(key)}`);
    return path.join(this.dir, key);
  }

  /**
   * The cached run for `key`, with its adapter copied to `adapterDest` (and its influence index, when
   * it has one, to `indexDest`); undefined when there is none or it is unreadable (a damaged entry
   * is removed, and the job trains as usual).
   */
  async get(key: string, adapterDest: string, indexDest?: string): Promise<CachedRun | undefined> {
    const dir = this.entry(key);
    if (!existsSync(path.join(dir, "run.json"))) return undefined;
    try {
      const run = JSON.parse(await readFile(path.join(dir, "run.json"), "utf8")) as Partial<CachedRun> & { schema?: string };
      if (run.schema !== SCHEMA || !Array.isArray(run.progress) || !existsSync(path.join(dir, "adapter", "adapter_config.json")))
        throw new Error("incomplete entry");
      // What an earlier worker sent is read like what a worker sends now.
      const check = workerSchemas();
      const entry: CachedRun = {
        loaded: check.result("load", run.loaded),
        trained: check.result("train", run.trained),
        evaluated: check.result("evaluate", run.evaluated),
        progress: run.progress.map((e) => check.event(e) as ProgressEvent),
      };
      const hasIndex = run.influence !== undefined && existsSync(path.join(dir, INDEX_FILE));
      if (hasIndex) entry.influence = check.result("influence_index", run.influence);
      if (hasIndex && run.probe !== undefined) entry.probe = checkProbe(run.probe);
      if (entry.progress.some((e) => e.event !== "progress")) throw new Error("not a progress event");
      await rm(adapterDest, { recursive: true, force: true });
      await mkdir(path.dirname(adapterDest), { recursive: true });
      await cp(path.join(dir, "adapter"), adapterDest, { recursive: true });
      if (hasIndex && indexDest) {
        await cp(path.join(dir, INDEX_FILE), indexDest);
        return { ...entry, trained: { ...entry.trained, adapter_path: adapterDest }, influence: { ...entry.influence!, path: indexDest } };
      }
      const { influence: _none, probe: _measuredWithIt, ...withoutIndex } = entry;
      return { ...withoutIndex, trained: { ...entry.trained, adapter_path: adapterDest } };
    } catch {
      await rm(dir, { recursive: true, force: true });
      return undefined;
    }
  }

  /** Stores a completed run; written to a temporary folder and renamed, so a crash leaves no half entry. */
  async put(key: string, run: CachedRun & { trained: { adapter_path: string } }): Promise<void> {
    const dir = this.entry(key);
    if (existsSync(dir)) return;
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    await mkdir(tmp, { recursive: true });
    try {
      await cp(run.trained.adapter_path, path.join(tmp, "adapter"), { recursive: true });
      if (run.influence) await cp(run.influence.path, path.join(tmp, INDEX_FILE));
      await writeFile(path.join(tmp, "run.json"), JSON.stringify({ schema: SCHEMA, ...run }));
      await rename(tmp, dir);
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      if (!existsSync(dir)) throw error;
    }
  }
}
