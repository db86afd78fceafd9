// Continuing a failed or cancelled job from its last checkpoint as a new job (spec `continueFrom`).
// Only the node that ran the earlier job holds its checkpoint (in its journal and data folder), so
// only that node claims the new job; it refuses, naming the difference, a continuation whose
// builder, settings or data differ from the earlier job's, since the checkpoint's optimizer and
// schedule belong to those.
import { existsSync } from "node:fs";
import path from "node:path";
import { continuationProblems, type TrainingSpec } from "@modelfactory/sdk";
import type { Address } from "viem";
import { JobFailure } from "./errors.ts";
import type { Journal } from "./journal.ts";

/**
 * What a job continues from: the earlier job, its checkpoint folder and step, and the root job of
 * the chain of continuations, whose id seeds the split (the same records are held out) and names
 * the adapter being trained (its weights' names in the checkpoint carry it).
 */
export type Continuation = { jobId: string; checkpoint: string; step: number; rootJob: string };

const CONTINUABLE = new Set(["failed", "cancelled"]);

/** Journal keys the runner writes for every job, which a later continuation reads. */
export const metaKeys = {
  checkpoint: (jobId: string) => `checkpoint:${jobId}`,
  contributions: (jobId: string) => `contributions:${jobId}`,
  rootJob: (jobId: string) => `rootJob:${jobId}`,
};

/** The earlier job's last checkpoint when this node still holds it on disk; else undefined. */
export function heldCheckpoint(journal: Journal, jobId: string): { path: string; step: number } | undefined {
  const folder = journal.getMeta(metaKeys.checkpoint(jobId));
  if (!folder || !existsSync(path.join(folder, "trainer_state.pt"))) return undefined;
  const step = /^step-(\d+)$/.exec(path.basename(folder));
  return step ? { path: folder, step: Number(step[1]) } : undefined;
}

/**
 * The continuation `spec` asks for, checked against what this node holds of the earlier job; a
 * JobFailure naming what is wrong (and what to do) otherwise. Pre-flight passes no job id and no
 * builder (the job does not exist yet, and the caller is not signed in): those are checked on claim.
 */
export function resolveContinuation(journal: Journal, spec: TrainingSpec, jobId: string | null, builder: Address | null): Continuation {
  const earlierId = spec.continueFrom!;
  const refuse = (message: string) => new JobFailure("CONTINUATION_REFUSED", `This job cannot continue job ${earlierId}: ${message}`);
  if (earlierId === jobId) throw refuse("a job cannot continue itself.");
  const earlier = journal.getJob(earlierId);
  if (!earlier || !earlier.spec)
    throw refuse("it did not run on this trainer node, which holds no checkpoint of it; continue it on the node that ran it.");
  if (!CONTINUABLE.has(earlier.phase)) throw refuse(`it is ${earlier.phase}; only a failed or cancelled job can be continued.`);
  if (builder && earlier.builder.toLowerCase() !== builder.toLowerCase())
    throw refuse(`it was created by ${earlier.builder}, and only its builder may continue it.`);
  const held = heldCheckpoint(journal, earlierId);
  if (!held) throw refuse("it stopped before its first checkpoint, or its checkpoint is gone from this node; start a new job instead.");
  const problems = continuationProblems(earlier.spec, spec, earlierId);
  if (problems.length) throw refuse(`${problems.join("; ")}. The checkpoint holds that job's optimizer and schedule: keep its settings.`);
  return { jobId: earlierId, checkpoint: held.path, step: held.step, rootJob: journal.getMeta(metaKeys.rootJob(earlierId)) ?? earlierId };
}

/** Refuses a continuation whose snapshot holds other contributions than the earlier job trained on. */
export function checkSameContributions(journal: Journal, c: Continuation, contributionIds: readonly bigint[]): void {
  const stored = journal.getMeta(metaKeys.contributions(c.jobId));
  if (stored === undefined) return; // written by every run since continuations exist
  const before = new Set(JSON.parse(stored) as string[]);
  const now = new Set(contributionIds.map(String));
  const added = [...now].filter((id) => !before.has(id));
  const gone = [...before].filter((id) => !now.has(id));
  if (added.length || gone.length) {
    const list = (ids: string[]) => ids.map((id) => `#${id}`).join(", ");
    throw new JobFailure(
      "CONTINUATION_REFUSED",
      `This job cannot continue job ${c.jobId}: its Datanets' accepted contributions changed since (${[added.length ? `added ${list(added)}` : "", gone.length ? `gone ${list(gone)}` : ""].filter(Boolean).join("; ")}), and a continuation trains on the same data; start a new job instead.`,
    );
  }
}
