// The training-influence index of a job (issue 15 item 2): after training, the worker takes the
// gradient of the adapter's loss on each of a seeded sample of every contribution's training
// records (`influence_index`), and the node publishes that file beside the adapter — sealed for the same
// keys when the job trained on permissioned data — and commits its sha256 in the manifest.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { INFLUENCE_INDEX_FORMAT, type ManifestInfluenceIndex } from "@modelfactory/sdk";
import type { ContentStore } from "@modelfactory/sdk/node";
import type { Hex } from "viem";
import { putBytes, sha256Hex } from "./content.ts";
import { putSealed, type ArtifactSealing } from "./sealed-artifacts.ts";
import type { WorkerClient } from "./worker-client.ts";
import type { InfluenceIndexResult } from "./worker-results.ts";

/**
 * Records sampled per contribution (one per distinct response first), each its own feature; a
 * contribution scores as its best record. The index costs one backward pass per sampled record,
 * about 1 s for 128 tokens of SmolLM2-135M on two CPU cores, so on the demo (7 contributions) 8
 * records add about a minute to the job. A record outside the sample is not seen: on the demo, an
 * answer that restates a sampled record scored 0.91 against it, while answers paraphrasing
 * unsampled records stayed at 0.06–0.19 (README, "Which training data shaped an answer").
 */
export const INFLUENCE_RECORDS_PER_CONTRIBUTION = 8;
/** Tokens per sampled record; longer records are cut. */
export const INFLUENCE_MAX_LENGTH = 128;
/** Sketch dimensions: 8192 float16 values per contribution (16 KiB), the worker's default. */
export const INFLUENCE_DIM = 8192;
/** File name of the index in a job's folder (beside `out/adapter`). */
export const INFLUENCE_INDEX_FILE = "influence-index.safetensors";

/** What the index is built with: part of a cached run's identity. */
export function influenceSettings(maxLength: number, seed: number) {
  return {
    per_contribution: INFLUENCE_RECORDS_PER_CONTRIBUTION,
    max_length: Math.min(maxLength, INFLUENCE_MAX_LENGTH),
    dim: INFLUENCE_DIM,
    seed,
  };
}

/**
 * Groups the job's training file by contribution, line by line (`contributions[i]` is line i's
 * contribution id, as the runner recorded it), into one JSONL file per contribution under `dir`.
 */
export async function writeContributionFiles(
  trainFile: string,
  contributions: readonly string[],
  dir: string,
): Promise<{ id: string; records: string }[]> {
  const lines = (await readFile(trainFile, "utf8")).split("\n").filter((l) => l.length > 0);
  if (lines.length !== contributions.length) {
    throw new Error(
      `influence index: ${trainFile} holds ${lines.length} record(s) but ${contributions.length} contribution id(s) were given for them`,
    );
  }
  const byId = new Map<string, string[]>();
  lines.forEach((line, i) => {
    const id = contributions[i]!;
    if (!/^[1-9]\d*$/.test(id)) throw new Error(`influence index: record ${i} has contribution id ${JSON.stringify(id)}, not a decimal id`);
    byId.set(id, [...(byId.get(id) ?? []), line]);
  });
  await mkdir(dir, { recursive: true });
  return Promise.all(
    [...byId].map(async ([id, recs]) => {
      const file = path.join(dir, `${id}.jsonl`);
      await writeFile(file, recs.join("\n") + "\n");
      return { id, records: file };
    }),
  );
}

export type BuildInfluenceIndexInput = {
  worker: WorkerClient;
  /** The adapter the worker holds (trained or loaded) to take gradients of. */
  adapter: string;
  trainFile: string;
  /** The contribution id of each line of `trainFile`. */
  contributions: readonly string[];
  /** The job's folder: the index is written there, the per-contribution files in a folder removed afterwards. */
  jobDir: string;
  maxLength: number;
  seed: number;
  /** The node's hang limit; the command sends no events while it works, so it gets more (see below). */
  hangMs: number;
};

/**
 * How long `influence_index` may run without a word: it sends nothing until it is done, so the
 * node's hang limit is stretched by 30 s per record it may sample, far above the ~1 s a record
 * costs on two idle cores and the ~25 s measured on a machine shared many times over (README,
 * "Which training data shaped an answer").
 */
export function influenceIndexHangMs(hangMs: number, contributions: number): number {
  return Math.max(hangMs, 300_000 + 30_000 * INFLUENCE_RECORDS_PER_CONTRIBUTION * contributions);
}

/** Builds the index in the worker; returns the file, its sha256 and the worker's result. */
export async function buildInfluenceIndex(
  input: BuildInfluenceIndexInput,
): Promise<{ file: string; sha256: Hex; result: InfluenceIndexResult }> {
  const scratch = path.join(input.jobDir, "influence-records");
  const file = path.join(input.jobDir, INFLUENCE_INDEX_FILE);
  try {
    // The copies are as sensitive as the records: they leave the disk before this returns.
    const contributions = await writeContributionFiles(input.trainFile, input.contributions, scratch);
    const result = await input.worker.request(
      "influence_index",
      { adapter: input.adapter, contributions, out: file, ...influenceSettings(input.maxLength, input.seed) },
      { hangMs: influenceIndexHangMs(input.hangMs, contributions.length) },
    );
    return { file, sha256: await fileSha256(file), result };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function fileSha256(file: string): Promise<Hex> {
  return sha256Hex(new Uint8Array(await readFile(file)));
}

/**
 * Stores the index: in the clear for a job over open Datanets, else sealed exactly like the
 * adapter (the features are gradients of the job's records, so they follow the data's rule).
 */
export async function publishInfluenceIndex(
  store: ContentStore,
  file: string,
  result: Pick<InfluenceIndexResult, "contributions" | "dim">,
  seal: ArtifactSealing | null,
): Promise<ManifestInfluenceIndex> {
  const bytes = new Uint8Array(await readFile(file));
  const sha256 = sha256Hex(bytes);
  const cid = seal ? (await putSealed(store, bytes, seal.recipients)).cid : (await putBytes(store, bytes)).slice("ipfs://".length);
  return { format: INFLUENCE_INDEX_FORMAT, cid, sha256, sealed: seal !== null, contributions: result.contributions, dim: result.dim };
}
