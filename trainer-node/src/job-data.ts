// A job's data: its contributions read from the content store (the encrypted ones with keys its
// Datanets' key services release for this job), and on disk: its records, each with the contribution it came from, split into training
// and held-out sides (by record or by contribution, seeded), optionally with retrieved passages in
// each prompt (raft.ts), and written as the worker's train and eval files.
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TrainingSpec } from "@modelfactory/sdk";
import { readContributions, serializeRecords, type ContentStore, type DatasetRecord } from "@modelfactory/sdk/node";
import type { Chain } from "./chain.ts";
import { releaseDataKeys } from "./sealed-keys.ts";
import { retrievalAugmentedSides } from "./raft.ts";
import type { ContributionInfo } from "./snapshot.ts";
import { splitByContribution, splitByRecord, type EvalSplitMethod } from "./split.ts";

/** A record and the contribution it came from. */
export type Sourced = { record: DatasetRecord; contributionId: string };

/** How this job's held-out records were chosen, as its report states it. */
export type HeldOutSplit = { method: EvalSplitMethod; heldOut: boolean; paraphraseShare: number | null; description: string };

/** The reference answer of a record (what a paraphrase of it shares). */
export function answerOf(record: DatasetRecord): string {
  if (record.kind === "instruction") return record.output;
  if (record.kind === "chat") return [...record.messages].reverse().find((m) => m.role === "assistant")?.content ?? "";
  return record.text;
}

/** The question part of a record, as shown beside sample answers. */
export function promptOf(record: DatasetRecord): string {
  if (record.kind === "instruction") return record.input ? `${record.instruction}\n\n${record.input}` : record.instruction;
  if (record.kind === "chat") return [...record.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  return record.text.slice(0, 200);
}

export type SplitInput = {
  spec: TrainingSpec;
  contributions: readonly ContributionInfo[];
  /** Each contribution's records, by contribution id. */
  records: ReadonlyMap<bigint, Sourced[]>;
  /** Seeds the held-out choice: chain, root job and the spec's seed. */
  seed: string;
  /** The job's folder, where train.jsonl and eval.jsonl are written. */
  dir: string;
};

/** Splits a job's records into training and held-out sides as its spec says, and writes both files. */
export async function splitAndWrite(
  input: SplitInput,
  log: (level: "info" | "warn", message: string) => void,
): Promise<{ trainSide: Sourced[]; evalSide: Sourced[]; split: HeldOutSplit; trainFile: string; evalFile: string }> {
  let trainSide: Sourced[];
  let evalSide: Sourced[];
  let split: HeldOutSplit;
  if (input.spec.evalSplit === "record") {
    const s = splitByRecord(input.records, input.spec.evalFraction, input.seed, (x) => answerOf(x.record));
    [trainSide, evalSide] = [s.train, s.eval];
    split = {
      method: "record",
      heldOut: s.heldOut,
      paraphraseShare: s.paraphraseShare,
      description: `${s.eval.length} of ${s.train.length + s.eval.length} records (${Math.round(input.spec.evalFraction * 100)} % of every contribution, chosen by a seeded hash) held out; every contribution is trained on, so this measures what the Datanets teach: ${Math.round(s.paraphraseShare * 100)} % of the held-out questions have their answer given by a training record in other words.`,
    };
    log(
      "info",
      `train: ${trainSide.length} record(s); eval: ${evalSide.length} record(s) of the same ${input.contributions.length} contribution(s), ${Math.round(s.paraphraseShare * 100)} % paraphrases of trained answers`,
    );
  } else {
    const s = splitByContribution(input.contributions, input.spec.evalFraction, input.seed);
    const flat = (side: ContributionInfo[]) => side.flatMap((c) => input.records.get(c.id) ?? []);
    [trainSide, evalSide] = [flat(s.train), flat(s.eval)];
    split = {
      method: "contribution",
      heldOut: s.heldOut,
      paraphraseShare: null,
      description: s.heldOut
        ? `${s.eval.length} of ${input.contributions.length} contributions (chosen by a seeded hash) held out whole: this measures how the model does on material it never saw.`
        : "Only one contribution: evaluation runs on the training data (in-sample).",
    };
    log("info", `train: ${s.train.length} contribution(s), ${trainSide.length} record(s); eval: ${s.eval.length}, ${evalSide.length}`);
  }
  // Retrieval-augmented fine-tuning (spec retrievalAugmented): both sides as chat records with retrieved passages.
  if (input.spec.retrievalAugmented)
    ({ trainSide, evalSide, split } = retrievalAugmentedSides(
      input.spec,
      { contributions: input.contributions, trainSide, evalSide, split, seed: input.seed },
      log,
    ));
  const trainFile = path.join(input.dir, "train.jsonl");
  const evalFile = path.join(input.dir, "eval.jsonl");
  await writeFile(trainFile, serializeRecords(trainSide.map((x) => x.record)));
  await writeFile(evalFile, serializeRecords(evalSide.map((x) => x.record)));
  if (!split.heldOut) log("warn", "nothing could be held out: evaluation runs on the training data (in-sample)");
  return { trainSide, evalSide, split, trainFile, evalFile };
}

/** Reads a job's contributions, verified against their on-chain hashes; encrypted ones with keys released for this job. */
export async function readJobContributions(
  ctx: { chain: Chain; store: ContentStore; jobId: bigint },
  contributions: readonly ContributionInfo[],
  log: (message: string) => void,
) {
  const refs = contributions.map((c) => ({ id: c.id, cid: c.contentId, contentHash: c.contentHash }));
  let results = await readContributions(ctx.store, refs);
  // Sealed contributions (permissioned Datanets): their keys come from each Datanet's key
  // service, released to this node only while the chain allows it, then they are read again.
  const sealed = results.flatMap((r, i) => (!r.ok && r.error.code === "CONTRIBUTION_SEALED" ? [contributions[i]!] : []));
  if (sealed.length) {
    log(`${sealed.length} contribution(s) are encrypted: asking their Datanets' key services for this job's keys`);
    const keys = await releaseDataKeys(
      ctx.chain,
      { purpose: "train", jobId: ctx.jobId },
      sealed.map((c) => ({ id: c.id, datanetId: c.datanetId })),
    );
    const again = await readContributions(
      ctx.store,
      sealed.map((c) => ({ id: c.id, cid: c.contentId, contentHash: c.contentHash, dataKey: keys.get(c.id)! })),
    );
    const byId = new Map(again.map((r) => [BigInt(r.id), r]));
    results = results.map((r, i) => byId.get(contributions[i]!.id) ?? r);
    log(`decrypted ${again.filter((r) => r.ok).length} of ${sealed.length} encrypted contribution(s) into this job's folder`);
  }
  return { results, sealed };
}

/** Deletes a job's record files (train.jsonl, eval.jsonl); true when there were any. */
export async function dropRecordFiles(dir: string): Promise<boolean> {
  let removed = 0;
  for (const f of ["train.jsonl", "eval.jsonl"]) {
    const file = path.join(dir, f);
    if (!existsSync(file)) continue;
    await rm(file, { force: true });
    removed++;
  }
  return removed > 0;
}
