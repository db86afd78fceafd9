// Answer-time training influence (issue 15 item 2): which training contributions shaped an answer
// through fine-tuning. A served model's influence index is found once through its manifest (read
// from the chain's ModelRegistered event, its root checked against the chain) and kept on disk;
// after each answer one `influence` call in the serving worker ranks the indexed contributions,
// and only those the caller may see now are listed, with the retrieval citations' metadata.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  describeError,
  describeTrainingInfluence,
  MAX_TRAINING_INFLUENCES,
  MIN_INFLUENCE_SCORE,
  parseManifestDocument,
  trainingJobsAbi,
  type ContributionMeta,
  type ManifestInfluenceIndex,
  type TrainingInfluence,
} from "@modelfactory/sdk";
import type { ContentStore } from "@modelfactory/sdk/node";
import type { Chain } from "./chain.ts";
import { getBytes } from "./content.ts";
import { fileSha256, INFLUENCE_INDEX_FILE } from "./influence-index.ts";
import type { ServedModel } from "./served-models.ts";
import type { InfluenceResult } from "./worker-results.ts";

/** Where a served model's index is, or why it has none. */
export type LocalInfluenceIndex = { path: string; entry: ManifestInfluenceIndex } | { path: null; reason: string };

/** Largest index file fetched from the content store (8192 float16 per contribution: 16 KiB each). */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;

/**
 * Finds (once per model) the local copy of a served model's influence index. The manifest is the
 * one the chain's ModelRegistered event names, refused unless its entries give the root the chain
 * holds. The copy is the job's own file when this node trained the model, else the content store's
 * object — only an index published in the clear: a sealed one is never opened here, since its keys
 * go only to the builder and holders of train or evaluate access (the adapter's rule).
 */
export class InfluenceIndexes {
  private readonly found = new Map<string, Promise<LocalInfluenceIndex>>();
  private readonly ctx: { chain: Chain; store: ContentStore; dataDir: string; log: (m: string) => void };

  constructor(ctx: { chain: Chain; store: ContentStore; dataDir: string; log: (m: string) => void }) {
    this.ctx = ctx;
  }

  of(model: ServedModel): Promise<LocalInfluenceIndex> {
    const key = model.modelId.toString();
    let found = this.found.get(key);
    if (!found) {
      found = this.locate(model).catch((error: unknown) => {
        // Not remembered: the next answer tries again (the content store or chain may be back).
        this.found.delete(key);
        this.ctx.log(`training influence: model ${key}'s index could not be read: ${describeError(error)}`);
        return { path: null, reason: `its influence index could not be read (${describeError(error)})` };
      });
      this.found.set(key, found);
    }
    return found;
  }

  private async locate(model: ServedModel): Promise<LocalInfluenceIndex> {
    const { chain } = this.ctx;
    const [event] = await chain.publicClient.getContractEvents({
      address: chain.contracts.jobs.address,
      abi: trainingJobsAbi,
      eventName: "ModelRegistered",
      args: { modelId: model.modelId },
      fromBlock: chain.startBlock,
      strict: true,
    });
    if (!event) throw new Error(`model ${model.modelId} has no ModelRegistered event on this chain`);
    const manifest = parseManifestDocument(
      JSON.parse(new TextDecoder().decode(await getBytes(this.ctx.store, event.args.manifestURI, 16 * 1024 * 1024))),
    );
    if (manifest.root.toLowerCase() !== event.args.manifestRoot.toLowerCase())
      throw new Error(`the manifest at ${event.args.manifestURI} states root ${manifest.root}, not the chain's ${event.args.manifestRoot}`);
    const entry = manifest.influenceIndex;
    if (!entry) return { path: null, reason: "its training manifest commits no influence index" };
    const own = path.join(this.ctx.dataDir, "jobs", model.jobId.toString(), INFLUENCE_INDEX_FILE);
    if (existsSync(own) && (await fileSha256(own)) === entry.sha256.toLowerCase()) return { path: own, entry };
    if (entry.sealed) return { path: null, reason: "its influence index is sealed and this node holds no copy of it" };
    const bytes = await getBytes(this.ctx.store, `ipfs://${entry.cid}`, MAX_INDEX_BYTES);
    const copy = path.join(this.ctx.dataDir, "influence-indexes", `model-${model.modelId}.safetensors`);
    await mkdir(path.dirname(copy), { recursive: true });
    await writeFile(copy, bytes);
    if ((await fileSha256(copy)) !== entry.sha256.toLowerCase())
      throw new Error(`the influence index at ${entry.cid} does not have the sha256 ${entry.sha256} its manifest commits`);
    return { path: copy, entry };
  }
}

/**
 * The training influences of an answer from the worker's ranking: contributions the caller may see
 * (`visible` gives their metadata, undefined for one to leave out), score ≥ MIN_INFLUENCE_SCORE,
 * the best MAX_TRAINING_INFLUENCES, weights in basis points proportional to the scores (integers,
 * summing to at most 10,000), and a reason that quotes no text.
 * @example
 * trainingInfluences(result.ranking, (id) => retrieval.index.contribution(id))
 */
export function trainingInfluences(
  ranking: InfluenceResult["ranking"],
  visible: (contributionId: string) => ContributionMeta | undefined,
): TrainingInfluence[] {
  const kept: { meta: ContributionMeta; score: number }[] = [];
  for (const r of ranking) {
    if (!Number.isFinite(r.score))
      throw new RangeError(`training influence: contribution ${r.contribution} has a non-finite score ${r.score}`);
    if (r.score < MIN_INFLUENCE_SCORE) continue;
    const meta = visible(r.contribution);
    if (meta) kept.push({ meta, score: r.score });
    if (kept.length === MAX_TRAINING_INFLUENCES) break;
  }
  kept.sort((a, b) => b.score - a.score);
  const total = kept.reduce((n, k) => n + k.score, 0);
  return kept.map((k, i) => ({
    ...k.meta,
    rank: i + 1,
    score: k.score,
    weight: Math.floor((10_000 * k.score) / total),
    reason: describeTrainingInfluence(k.score),
  }));
}
