// The pre-flight check the train wizard shows before a builder pays for `createJob`: is the
// base model here, does the builder's data verify and parse, how many records and tokens, how
// much memory for each method, per contribution its records, tokens, truncated and dropped
// records and duplicates of other contributions' records, whether the run fits this node's memory (refused, naming what
// would fit, when it does not), whether a continuation can go on from its job's checkpoint here,
// and roughly how long it will take on this node.
import path from "node:path";
import {
  describeError,
  type BaseModelInfo,
  type ContributionInsight,
  type DatasetRecord,
  type PreflightReport,
  type TrainingSpec,
} from "@modelfactory/sdk";
import { readContributions, type ContentStore } from "@modelfactory/sdk/node";
import { getBytes } from "./content.ts";
import { estimateMemory } from "./base-models.ts";
import { deviceMemory, memoryFit, readModelShape, refusalMessage } from "./memory-fit.ts";
import type { InfoResult } from "./worker-protocol.ts";
import { trainingContributions } from "./snapshot.ts";
import { checkSameContributions, resolveContinuation } from "./continuation.ts";
import { JobFailure } from "./errors.ts";
import type { Chain } from "./chain.ts";
import type { TrainerNodeConfig } from "./config.ts";
import type { Journal } from "./journal.ts";

/** What pre-flight reads: the chain, the content store, the journal, the node's settings and base models. */
export type PreflightContext = {
  chain: Chain;
  store: ContentStore;
  journal: Journal;
  config: TrainerNodeConfig;
  baseModels: readonly BaseModelInfo[];
};

/** Tokens per second assumed before this node has finished a job of its own. */
const DEFAULT_TOKENS_PER_SECOND = 2000;

/** About four characters per token for the English-like text of the demo and most datasets. */
const CHARS_PER_TOKEN = 4;
/** Tokens a chat template adds around each message (role markers, separators). */
const TEMPLATE_TOKENS_PER_MESSAGE = 4;

const estTokens = (text: string) => Math.ceil(text.length / CHARS_PER_TOKEN);

/**
 * A record's estimated length as trained (template included) and how many of those tokens come
 * before its first answer token: a record longer than maxLength is truncated, and one whose
 * prompt alone fills maxLength has no answer token left, so the worker drops it.
 */
export function recordLength(record: DatasetRecord): { tokens: number; beforeAnswer: number } {
  if (record.kind === "text") return { tokens: estTokens(record.text) + TEMPLATE_TOKENS_PER_MESSAGE, beforeAnswer: 0 };
  if (record.kind === "instruction") {
    const prompt = estTokens(record.instruction) + estTokens(record.input) + TEMPLATE_TOKENS_PER_MESSAGE;
    return { tokens: prompt + estTokens(record.output) + TEMPLATE_TOKENS_PER_MESSAGE, beforeAnswer: prompt + TEMPLATE_TOKENS_PER_MESSAGE };
  }
  let tokens = 0;
  let beforeAnswer: number | null = null;
  for (const m of record.messages) {
    if (m.role === "assistant" && beforeAnswer === null) beforeAnswer = tokens + TEMPLATE_TOKENS_PER_MESSAGE;
    tokens += estTokens(m.content) + TEMPLATE_TOKENS_PER_MESSAGE;
  }
  return { tokens, beforeAnswer: beforeAnswer ?? tokens };
}

/** What makes two records the same example: their text, whitespace and case aside. */
function recordKey(record: DatasetRecord): string {
  const norm = (t: string) => t.replace(/\s+/g, " ").trim().toLowerCase();
  if (record.kind === "text") return `text\u0000${norm(record.text)}`;
  if (record.kind === "instruction")
    return `instruction\u0000${norm(record.instruction)}\u0000${norm(record.input)}\u0000${norm(record.output)}`;
  return `chat\u0000${record.messages.map((m) => `${m.role}:${norm(m.content)}`).join("\u0000")}`;
}

export type ReadContribution =
  | { contributionId: string; datanetId: string; records: DatasetRecord[] }
  | { contributionId: string; datanetId: string; sealed: { recordCount: number; byteSize: number } }
  | { contributionId: string; datanetId: string; error: string };

/**
 * Per-contribution data insights. Duplicates: records whose content (see recordKey) is also in
 * another contribution; a copy inside one contribution is not counted here. Sealed contributions
 * are known only by their metadata, so their text-derived figures are null.
 */
export function contributionInsights(contributions: ReadContribution[], maxLength: number): ContributionInsight[] {
  const owners = new Map<string, Set<number>>();
  contributions.forEach((c, i) => {
    if (!("records" in c)) return;
    for (const r of c.records) {
      const k = recordKey(r);
      const set = owners.get(k) ?? new Set<number>();
      set.add(i);
      owners.set(k, set);
    }
  });
  return contributions.map((c): ContributionInsight => {
    const head = { contributionId: c.contributionId, datanetId: c.datanetId };
    if ("error" in c)
      return { ...head, sealed: false, records: 0, tokens: 0, truncated: null, dropped: null, duplicates: null, error: c.error };
    if ("sealed" in c)
      return {
        ...head,
        sealed: true,
        records: c.sealed.recordCount,
        tokens: Math.round(c.sealed.byteSize / CHARS_PER_TOKEN),
        truncated: null,
        dropped: null,
        duplicates: null,
      };
    let tokens = 0,
      truncated = 0,
      dropped = 0,
      duplicates = 0;
    for (const r of c.records) {
      const len = recordLength(r);
      tokens += len.tokens;
      if (len.beforeAnswer >= maxLength) dropped++;
      else if (len.tokens > maxLength) truncated++;
      if (owners.get(recordKey(r))!.size > 1) duplicates++;
    }
    return { ...head, sealed: false, records: c.records.length, tokens, truncated, dropped, duplicates };
  });
}

/** Record count and size from a sealed contribution's public metadata, or null when it has none. */
async function sealedMetadata(node: PreflightContext, metadataURI: string): Promise<{ recordCount: number; byteSize: number } | null> {
  try {
    const m = JSON.parse(new TextDecoder().decode(await getBytes(node.store, metadataURI, 256 * 1024))) as {
      recordCount?: unknown;
      byteSize?: unknown;
    };
    const ok = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
    return ok(m.recordCount) && ok(m.byteSize) ? { recordCount: m.recordCount as number, byteSize: m.byteSize as number } : null;
  } catch {
    return null;
  }
}

/** `worker`: the node's worker's `info` (its device and memory), or null while it has not answered. */
export async function preflight(node: PreflightContext, spec: TrainingSpec, worker: InfoResult | null = null): Promise<PreflightReport> {
  const problems: PreflightReport["problems"] = [];
  const baseModel = node.baseModels.find((m) => m.id === spec.baseModel) ?? null;
  if (!baseModel)
    problems.push({
      severity: "error",
      message: `Base model "${spec.baseModel}" is not on this node; pick one of: ${node.baseModels.map((m) => m.id).join(", ") || "none"}.`,
    });
  const datanetIds = spec.datanetIds.map(BigInt);
  let contributions = 0;
  let records = 0;
  let chars = 0;
  const read: ReadContribution[] = [];
  try {
    const latest = await node.chain.publicClient.getBlockNumber();
    const usable = await trainingContributions(node.chain, datanetIds, latest);
    contributions = usable.length;
    if (spec.continueFrom) {
      // The same checks the job will meet once claimed (builder aside), before any gas is paid.
      try {
        const c = resolveContinuation(node.journal, spec, null, null);
        checkSameContributions(
          node.journal,
          c,
          usable.map((u) => u.id),
        );
        problems.push({ severity: "info", message: `Continues job ${c.jobId} from its checkpoint at step ${c.step} on this node.` });
      } catch (error) {
        if (!(error instanceof JobFailure)) throw error;
        problems.push({ severity: "error", message: error.shortMessage });
      }
    }
    const results = await readContributions(
      node.store,
      usable.map((c) => ({ id: c.id, cid: c.contentId, contentHash: c.contentHash })),
    );
    let sealed = 0;
    for (const [i, r] of results.entries()) {
      const head = { contributionId: String(r.id), datanetId: String(usable[i]!.datanetId) };
      // Encrypted contributions: no key is released before a job is claimed, so they are counted
      // from their public metadata (records, size); their text is checked when the job runs.
      if (!r.ok && r.error.code === "CONTRIBUTION_SEALED") {
        const meta = await sealedMetadata(node, usable[i]!.metadataURI);
        if (!meta) {
          problems.push({
            severity: "warning",
            message: `Contribution ${String(r.id)} is encrypted and its metadata does not say how many records it holds; it is not counted.`,
          });
          read.push({ ...head, error: "encrypted, and its metadata does not say how many records it holds" });
          continue;
        }
        sealed++;
        records += meta.recordCount;
        chars += meta.byteSize;
        read.push({ ...head, sealed: meta });
        continue;
      }
      if (!r.ok) {
        problems.push({ severity: "error", message: `Contribution ${String(r.id)}: ${describeError(r.error)}` });
        read.push({ ...head, error: describeError(r.error) });
        continue;
      }
      records += r.records.length;
      chars += r.records.reduce((n, rec) => n + JSON.stringify(rec).length, 0);
      read.push({ ...head, records: r.records });
    }
    if (sealed)
      problems.push({
        severity: "info",
        message: `${sealed} contribution(s) are encrypted: counted from their public metadata; their records are decrypted and verified when the job runs, with keys their Datanet's key service releases to the trainer that claims it.`,
      });
  } catch (error) {
    problems.push({ severity: "error", message: describeError(error) });
  }
  if (contributions === 1)
    problems.push({ severity: "warning", message: "Only one contribution: nothing can be held out, so evaluation will be in-sample." });
  const tokens = Math.round(chars / CHARS_PER_TOKEN);
  const perContribution = contributionInsights(read, spec.hyperparameters.maxLength);
  const dropped = perContribution.reduce((n, c) => n + (c.dropped ?? 0), 0);
  const duplicated = perContribution.filter((c) => c.duplicates);
  if (dropped)
    problems.push({
      severity: "warning",
      message: `About ${dropped} record(s) have no answer within the maximum length of ${spec.hyperparameters.maxLength} tokens and will be left out; raise maxLength to keep them.`,
    });
  if (duplicated.length)
    problems.push({
      severity: "info",
      message: `Contribution(s) ${duplicated.map((c) => c.contributionId).join(", ")} hold records that are also in another of this job's contributions, so the run sees those examples more than once.`,
    });
  const h = spec.hyperparameters;
  const perStep = h.batchSize * h.gradientAccumulation;
  const estimatedSteps = Math.max(1, Math.ceil((records * (1 - spec.evalFraction)) / perStep) * h.epochs);
  const finished = node.journal
    .listJobs({ phases: ["completed"] })
    .map((j) => j.progress?.tokensPerSecond ?? 0)
    .filter((t) => t > 0);
  const tokensPerSecond = finished.length ? finished.reduce((a, b) => a + b, 0) / finished.length : DEFAULT_TOKENS_PER_SECOND;
  const memory = estimateMemory(baseModel?.parameters ?? 0);
  let fit: PreflightReport["memoryFit"] = null;
  const device = deviceMemory(worker, node.config.memoryLimitMb);
  if (baseModel && device && worker) {
    try {
      const shape = await readModelShape(path.join(node.config.modelsDir, baseModel.id));
      fit = memoryFit(
        {
          shape,
          spec,
          methods: baseModel.methods,
          dataTokens: Math.max(1, Math.round(tokens * (1 - spec.evalFraction))),
          bytesPerWeight: device.kind === "cuda" ? 2 : 4,
          runtimeBytes: worker.memory.rss_mb * 1024 * 1024,
        },
        device,
      );
      if (!fit.fits) problems.push({ severity: "error", message: refusalMessage(fit, device) });
    } catch (error) {
      problems.push({ severity: "warning", message: `The memory this run needs could not be estimated: ${describeError(error)}` });
    }
  } else if (baseModel) {
    problems.push({
      severity: "info",
      message:
        "This node's model worker has not reported its memory yet, so whether the run fits was not checked; try the pre-flight again in a few seconds.",
    });
  }
  return {
    ok: !problems.some((p) => p.severity === "error"),
    baseModel,
    contributions,
    records,
    tokens,
    estimatedSteps,
    estimatedSeconds: Math.round((tokens * (1 - spec.evalFraction) * h.epochs) / tokensPerSecond),
    memory,
    memoryFit: fit,
    perContribution,
    problems,
  };
}
