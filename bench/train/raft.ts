// `npm run bench -- raft`: does retrieval-augmented fine-tuning (RAFT, trainer-node/src/raft.ts)
// improve held-out answers on the demo? The demo job's Datanets and settings (demo/plan.ts) and its
// record split (15 % of every contribution's records, seed "31337:1:42" as job 1 on the dev chain),
// SmolLM2-135M-Instruct fine-tuned twice on the same training records with the same schedule:
// plain (the records as they are) and RAFT (each question with retrieved passages in chat's system
// message, its own passage in a share of them). Both tuned models and the base model answer the
// same held-out questions as chat serves them: each with the 4 passages BM25 retrieves for it from
// the training records (never a held-out record's text). Writes bench/results/raft.json.
//
//   node bench/train/raft.ts [--train-records N] [--eval-records M] [--samples S] [--passages K] [--oracle P] [--max-length L]
//
// A shorter schedule than the demo's (N training records, default 40, a seeded sample of the
// split's training side) keeps it to minutes per run on two shared cores; both runs use it.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { keccak256, stringToBytes } from "viem";
import { prepareContribution, serializeRecords, type DatasetRecord } from "@modelfactory/sdk/node";
import { writeSuiteResult, type Metric } from "../lib/results.ts";
import { DATANETS, DEMO_JOB, contributionFile } from "../../demo/plan.ts";
import { retrievalAugmented, type SourcedRecord } from "../../trainer-node/src/raft.ts";
import { splitByRecord } from "../../trainer-node/src/split.ts";
import { workerTrainConfig } from "../../trainer-node/src/worker-train-config.ts";
import { WorkerClient } from "../../trainer-node/src/worker-client.ts";
import type { EvaluateResult } from "../../trainer-node/src/worker-protocol.ts";

const root = path.resolve(import.meta.dirname, "../..");
const MODEL = path.join(root, "trainer-node/models/smollm2-135m-instruct");
const PYTHON = path.join(root, "trainer-node/worker/.venv/bin/python");
const { values: args } = parseArgs({
  options: {
    "train-records": { type: "string", default: "40" },
    "eval-records": { type: "string", default: "24" },
    samples: { type: "string", default: "8" },
    passages: { type: "string", default: "4" },
    oracle: { type: "string", default: "0.8" },
    "max-length": { type: "string", default: "768" },
    // One torch thread by default, as the attribution bench found on these shared cores.
    threads: { type: "string", default: process.env.RAFT_BENCH_THREADS ?? "1" },
  },
});
const int = (name: keyof typeof args, min: number) => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be a whole number of at least ${min}, got ${args[name]}.`);
  return v;
};
const TRAIN_RECORDS = int("train-records", 4);
const EVAL_RECORDS = int("eval-records", 1);
const SAMPLES = int("samples", 1);
const MAX_LENGTH = int("max-length", 64);
const options = { passages: int("passages", 1), oracleShare: Number(args.oracle) };
if (!(options.oracleShare >= 0 && options.oracleShare <= 1)) throw new Error(`--oracle must be a share from 0 to 1, got ${args.oracle}.`);

// The demo job's contributions as the seed registers them: ids in registration order, pending ones left out.
type Contribution = { id: bigint; datanetId: bigint; records: DatasetRecord[] };
const contributions: Contribution[] = [];
let nextId = 1n;
for (const [d, plan] of DATANETS.entries()) {
  for (const file of Object.keys(plan.contributions)) {
    const id = nextId++;
    if (!plan.inDemoJob || plan.pending.includes(file)) continue;
    const prepared = await prepareContribution({ bytes: await readFile(contributionFile(plan.slug, file)), fileName: `${file}.jsonl` });
    contributions.push({ id, datanetId: BigInt(d + 1), records: prepared.records });
  }
}
const answerOf = (r: DatasetRecord) =>
  r.kind === "instruction" ? r.output : r.kind === "chat" ? (r.messages.findLast((m) => m.role === "assistant")?.content ?? "") : r.text;
const byContribution = new Map(
  contributions.map((c) => [c.id, c.records.map((record): SourcedRecord => ({ record, contributionId: c.id.toString() }))]),
);
const split = splitByRecord(byContribution, DEMO_JOB.evalFraction, `31337:1:${DEMO_JOB.hyperparameters.seed}`, (x) => answerOf(x.record));
// The shorter schedule: a seeded sample of each side, the same for both runs.
const sample = <T>(xs: readonly T[], n: number, salt: string) =>
  xs
    .map((x, i) => ({ x, key: keccak256(stringToBytes(`raft-bench:${salt}:${i}`)) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .slice(0, n)
    .map((e) => e.x);
const trainSide = sample(split.train, TRAIN_RECORDS, "train");
const evalSide = sample(split.eval, EVAL_RECORDS, "eval");
const raft = retrievalAugmented(options, {
  contributions: contributions.map((c) => ({
    id: c.id,
    datanetId: c.datanetId,
    contributor: "0x0000000000000000000000000000000000000001",
    transactionHash: `0x${"0".repeat(64)}`,
    contentId: `demo-${c.id}`,
    metadataURI: "",
  })),
  // Passages come from the whole training side of the split (what a job's index holds); the schedule trains on the sample.
  trainSide: split.train,
  evalSide,
  split: { description: "" },
  seed: `31337:1:${DEMO_JOB.hyperparameters.seed}`,
  maxLength: MAX_LENGTH,
});
const chosen = new Set(trainSide);
const raftTrain = raft.trainSide.filter((_, i) => chosen.has(split.train[i]!));

const dir = await mkdtemp(path.join(os.tmpdir(), "mf-bench-raft-"));
const file = async (name: string, records: readonly SourcedRecord[]) => {
  const f = path.join(dir, name);
  await writeFile(f, serializeRecords(records.map((x) => x.record)));
  return f;
};
const files = {
  plainTrain: await file("plain-train.jsonl", trainSide),
  raftTrain: await file("raft-train.jsonl", raftTrain),
  evalSources: await file("eval-with-sources.jsonl", raft.evalSide),
  evalPlain: await file("eval-plain.jsonl", evalSide),
};
const spec = { method: "lora" as const, hyperparameters: { ...DEMO_JOB.hyperparameters, maxLength: MAX_LENGTH } };
const config = workerTrainConfig(spec as never, 0, 0);
console.log(
  `raft bench: ${trainSide.length} training records (of ${split.train.length}), ${evalSide.length} held-out (of ${split.eval.length}); RAFT ${options.passages} passages, oracle in ${raft.stats.withOracle}/${raft.stats.augmented}; mean system message ${raft.stats.meanSystemChars} chars; ${raft.stats.likelyTruncated} likely over ${MAX_LENGTH} tokens`,
);

type Run = { trainSeconds: number; steps: number; withSources: EvaluateResult; plain?: EvaluateResult };
async function run(name: string, train: string, alsoPlain: boolean): Promise<Run> {
  const worker = new WorkerClient({
    command: [PYTHON, "-m", "modelfactory_worker"],
    cwd: path.join(root, "trainer-node/worker"),
    hangMs: 1_800_000,
    startMs: 300_000,
    env: { MODELFACTORY_WORKER_THREADS: args.threads },
  });
  try {
    await worker.request("load", { model: MODEL, device: "cpu" });
    let t = performance.now();
    let steps = 0;
    const trained = await worker.request(
      "train",
      { config, data: { train, eval: files.evalSources }, adapter: name, output_dir: path.join(dir, name) },
      {
        onEvent: (e) => {
          if (e.event !== "progress") return;
          steps = e.total_steps;
          if (e.step % 10 === 0 || e.step === e.total_steps)
            console.log(`  ${name}: step ${e.step}/${e.total_steps} loss ${e.loss?.toFixed(3)} ${e.tokens_per_s.toFixed(0)} tokens/s`);
        },
      },
    );
    const trainSeconds = (performance.now() - t) / 1000;
    console.log(`  ${name}: trained in ${trainSeconds.toFixed(0)} s (${trained.status})`);
    const evaluate = (data: string, generation = true) =>
      worker.request(
        "evaluate",
        { data, adapter: name, max_seq_len: MAX_LENGTH, max_samples: SAMPLES, max_new_tokens: 48, generation },
        { hangMs: 1_800_000 },
      );
    t = performance.now();
    const withSources = await evaluate(files.evalSources);
    console.log(`  ${name}: evaluated with sources in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    // Without sources: perplexity only (the answers cost minutes on shared cores), to show what the passages add.
    const plain = alsoPlain ? await evaluate(files.evalPlain, false) : undefined;
    return { trainSeconds, steps, withSources, ...(plain ? { plain } : {}) };
  } finally {
    await worker.close().catch(() => undefined);
  }
}

const t0 = performance.now();
const plain = await run("plain", files.plainTrain, true);
const tuned = await run("raft", files.raftTrain, false);
await rm(dir, { recursive: true, force: true });

const ppl = (r: EvaluateResult, side: "base" | "tuned") => {
  const v = (side === "base" ? r.perplexity_base : r.perplexity_tuned) as { perplexity?: number } | undefined;
  if (typeof v?.perplexity !== "number") throw new Error(`evaluate sent no perplexity_${side}.perplexity`);
  return v.perplexity;
};
const gen = (r: EvaluateResult, side: "base" | "tuned", key: "bleu" | "rougeL") => {
  const g = (side === "base" ? r.generation_base : r.generation_tuned) as Record<string, unknown> | undefined;
  const v = g?.[key];
  if (typeof v !== "number") throw new Error(`evaluate sent no generation_${side}.${key}`);
  return v;
};
const m = (value: number, unit: string, better: Metric["better"]): Metric => ({ value: Number(value.toFixed(4)), unit, better });
const metrics: Record<string, Metric> = {
  "withSources.base.perplexity": m(ppl(plain.withSources, "base"), "perplexity", "lower"),
  "withSources.plain.perplexity": m(ppl(plain.withSources, "tuned"), "perplexity", "lower"),
  "withSources.raft.perplexity": m(ppl(tuned.withSources, "tuned"), "perplexity", "lower"),
  "withSources.base.bleu": m(gen(plain.withSources, "base", "bleu"), "BLEU", "higher"),
  "withSources.plain.bleu": m(gen(plain.withSources, "tuned", "bleu"), "BLEU", "higher"),
  "withSources.raft.bleu": m(gen(tuned.withSources, "tuned", "bleu"), "BLEU", "higher"),
  "withSources.base.rougeL": m(gen(plain.withSources, "base", "rougeL"), "ROUGE-L", "higher"),
  "withSources.plain.rougeL": m(gen(plain.withSources, "tuned", "rougeL"), "ROUGE-L", "higher"),
  "withSources.raft.rougeL": m(gen(tuned.withSources, "tuned", "rougeL"), "ROUGE-L", "higher"),
  // Ratios against the plain run of the same machine and hour (STYLE.md: shared, noisy machines).
  "raftVsPlain.perplexity": m(ppl(tuned.withSources, "tuned") / ppl(plain.withSources, "tuned"), "ratio", "lower"),
  "raftVsPlain.rougeL": m(gen(tuned.withSources, "tuned", "rougeL") / gen(plain.withSources, "tuned", "rougeL"), "ratio", "higher"),
  "raftVsPlain.trainSeconds": m(tuned.trainSeconds / plain.trainSeconds, "ratio", "lower"),
  "noSources.plain.perplexity": m(ppl(plain.plain!, "tuned"), "perplexity", "lower"),
  "noSources.base.perplexity": m(ppl(plain.plain!, "base"), "perplexity", "lower"),
};
const notes = {
  setup: {
    model: "smollm2-135m-instruct",
    trainRecords: trainSide.length,
    trainSplit: split.train.length,
    evalRecords: evalSide.length,
    evalSplit: split.eval.length,
    paraphraseShare: Number(split.paraphraseShare.toFixed(3)),
    generationSamples: SAMPLES,
    raft: options,
    raftStats: raft.stats,
    maxLength: MAX_LENGTH,
    steps: { plain: plain.steps, raft: tuned.steps },
    trainSeconds: { plain: Math.round(plain.trainSeconds), raft: Math.round(tuned.trainSeconds) },
    totalSeconds: Math.round((performance.now() - t0) / 1000),
    load: os.loadavg().map((x) => Number(x.toFixed(2))),
  },
  // No sample answers: they quote the garden guide, a permissioned Datanet in the demo.
};
const out = await writeSuiteResult("raft", metrics, { notes });
console.table(Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, `${v.value} ${v.unit}`])));
console.log(`wrote ${path.relative(root, out)}`);
