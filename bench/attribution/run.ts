// `npm run bench -- attribution`: how often context attribution (the worker's `attribute`,
// leave-one-out over the prompt exactly as chat serves it) ranks the passage holding a planted
// fact first, against BM25 rank and representation similarity measured in the same run, on the
// real model (SmolLM2-135M-Instruct, base weights: context attribution needs no training).
//
// Each of the facts in facts.ts is its own contribution, next to two distractors written to share
// the question's words. The question is retrieved from the whole corpus by the node's BM25 index
// (top 4, as chat uses); the model answers greedily with those passages in the prompt; that answer
// is attributed. Then training influence (training.ts): the model fine-tuned on the facts, each
// answer traced to the contribution that taught it. Writes bench/results/attribution.json.
// Targets (issue 15): context recall@1 ≥ 0.9, training recall@1 ≥ 0.8, ≤ 10 s per answer on two CPU cores.
// `--context-only` (`npm run bench -- attribution-context`) measures the context half alone and
// keeps the training-influence metrics of the file, which says when each half was measured.
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { readSuiteResult, writeSuiteResult, type Metric } from "../lib/results.ts";
import { FACTS, echo } from "./facts.ts";
import { measureTrainingInfluence } from "./training.ts";
import { SYSTEM_PROMPT } from "../../trainer-node/src/chat.ts";
import { attribute, contextParts, effectsFromWorker, NOT_USED_NATS } from "../../trainer-node/src/rag/index.ts";
import { DatanetIndex, type RetrievedPassage } from "../../trainer-node/src/rag/datanet-index.ts";
import { WorkerClient } from "../../trainer-node/src/worker-client.ts";

const root = path.resolve(import.meta.dirname, "../..");
const MODEL = path.join(root, "trainer-node/models/smollm2-135m-instruct");
const PYTHON = path.join(root, "trainer-node/worker/.venv/bin/python");
const DATANET = 1n;
const K = 4;
const MAX_NEW_TOKENS = 32;
// Torch threads of the worker. One by default: these two cores are shared by several sessions,
// and with more OpenMP threads than free cores a forward pass ran 6× slower in wall time (and
// 10× in CPU time) than with one thread, measured here. An idle 2-core machine is at least as fast.
const THREADS = Number(process.env.ATTRIBUTION_BENCH_THREADS ?? 1);
if (!Number.isInteger(THREADS) || THREADS < 1)
  throw new Error(`ATTRIBUTION_BENCH_THREADS must be a whole number ≥ 1, got ${process.env.ATTRIBUTION_BENCH_THREADS}`);
const CONTEXT_ONLY = process.argv.includes("--context-only");

type Kind = "planted" | "echo" | "topical" | "other fact" | "other distractor";

// The corpus: per fact, its passage (id 3i+1), the echo distractor (3i+2) and the topical one (3i+3).
const index = new DatanetIndex();
const kindOf = new Map<string, { fact: number; kind: "planted" | "echo" | "topical" }>();
FACTS.forEach((f, i) => {
  const texts = { planted: f.fact, echo: echo(f.question), topical: f.topical } as const;
  (["planted", "echo", "topical"] as const).forEach((kind, j) => {
    const id = BigInt(3 * i + j + 1);
    kindOf.set(id.toString(), { fact: i, kind });
    index.upsertContribution(
      {
        contributionId: id,
        datanetId: DATANET,
        contributor: "0x00000000000000000000000000000000000000c1",
        timestamp: 0,
        transactionHash: `0x${"0".repeat(64)}`,
        contentId: `bench-${id}`,
        metadataURI: "",
      },
      [{ schema: "modelfactory.record/1", kind: "text", text: texts[kind] }],
    );
  });
});

function kind(p: RetrievedPassage, fact: number): Kind {
  const k = kindOf.get(p.contribution.contributionId)!;
  if (k.fact === fact) return k.kind;
  return k.kind === "planted" ? "other fact" : "other distractor";
}

/** The top K by BM25; when the planted passage is not among them it takes the last place (recall is measured given retrieval). */
function retrieve(question: string, fact: number): { passages: RetrievedPassage[]; plantedRetrieved: boolean } {
  const top = index.search(question, [DATANET], K);
  if (top.some((p) => kind(p, fact) === "planted")) return { passages: top, plantedRetrieved: true };
  const planted = index.search(question, [DATANET], 3 * FACTS.length).find((p) => kind(p, fact) === "planted")!;
  return { passages: [...top.slice(0, K - 1), planted].map((p, i) => ({ ...p, rank: i + 1 })), plantedRetrieved: false };
}

const worker = new WorkerClient({
  command: [PYTHON, "-m", "modelfactory_worker"],
  cwd: path.join(root, "trainer-node/worker"),
  hangMs: 300_000,
  startMs: 300_000,
  env: { MODELFACTORY_WORKER_THREADS: String(THREADS) },
});
await worker.request("load", { model: MODEL, device: "cpu" });

type Row = {
  question: string;
  answer: string;
  answerUsesFact: boolean;
  plantedRetrieved: boolean;
  generationSeconds: number;
  attributionSeconds: number;
  /** CPU seconds of the worker's threads during the passes. */
  attributionCpuSeconds: number;
  forwardPasses: number;
  /** Which answer tokens the log-likelihoods sum (worker `attribute` scope) and how many. */
  scope: string;
  scoredTokens: number;
  answerTokens: number;
  passages: {
    kind: Kind;
    contributionId: string;
    bm25Rank: number;
    bm25Score: number;
    logProbDrop: number;
    ratio: number | null;
    weight: number;
    used: boolean;
    reason: string;
  }[];
  embedding?: { question: number[]; answer: number[] };
};
const rows: Row[] = [];
const started = performance.now();
for (const [i, f] of FACTS.entries()) {
  const { passages, plantedRetrieved } = retrieve(f.question, i);
  const parts = contextParts(passages);
  const before = `${SYSTEM_PROMPT}\n\nSources:\n${parts.header}`;
  const conversation = [{ role: "user" as const, content: f.question }];
  let t = performance.now();
  const generated = await worker.request("generate", {
    messages: [{ role: "system", content: before + parts.blocks.join("") }, ...conversation],
    max_new_tokens: MAX_NEW_TOKENS,
    stream: false,
  });
  const generationSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const measured = await worker.request("attribute", {
    sources: { before, passages: parts.blocks, after: "" },
    messages: conversation,
    answer: generated.text,
  });
  const attributionSeconds = (performance.now() - t) / 1000;
  const citations = attribute({
    question: f.question,
    answer: generated.text,
    retrieved: parts.included,
    effects: effectsFromWorker(measured, parts.blocks.length),
  });
  rows.push({
    question: f.question,
    answer: generated.text,
    answerUsesFact: generated.text.toLowerCase().includes(f.key),
    plantedRetrieved,
    generationSeconds,
    attributionSeconds,
    attributionCpuSeconds: measured.cpu_seconds,
    forwardPasses: measured.forward_passes,
    scope: measured.scope,
    scoredTokens: measured.scored_tokens,
    answerTokens: measured.answer_tokens,
    passages: citations.map((c, j) => ({
      kind: kind(parts.included[j]!, i),
      contributionId: c.contributionId,
      bm25Rank: c.rank,
      bm25Score: c.score,
      logProbDrop: c.effect!.logProbDrop,
      ratio: c.effect!.ratio,
      weight: c.weight,
      used: c.effect!.used,
      reason: c.publicReason,
    })),
  });
  const top = rows.at(-1)!.passages.reduce((a, b) => (b.logProbDrop > a.logProbDrop ? b : a));
  console.log(
    `${String(i + 1).padStart(2)}. ${top.kind === "planted" ? "✓" : "✗"} ${attributionSeconds.toFixed(1)} s  ${JSON.stringify(generated.text.slice(0, 70))}`,
  );
}
const info = await worker.request("info", {});
await worker.close();

// The representation baseline, from the same model's hidden states (embed.py).
const embedded = spawnSync(PYTHON, [path.join(import.meta.dirname, "embed.py")], {
  input: JSON.stringify({
    model: MODEL,
    items: rows.map((r, i) => ({
      queries: { question: FACTS[i]!.question, answer: r.answer },
      passages: r.passages.map((p) => textOf(p.contributionId)),
    })),
  }),
  env: { ...process.env, HF_HUB_OFFLINE: "1", OMP_NUM_THREADS: String(THREADS) },
  maxBuffer: 64 * 1024 * 1024,
});
if (embedded.status !== 0) throw new Error(`embed.py failed: ${embedded.stderr.toString().slice(-2000)}`);
(JSON.parse(embedded.stdout.toString()) as { items: { question: number[]; answer: number[] }[] }).items.forEach(
  (e, i) => (rows[i]!.embedding = e),
);

function textOf(contributionId: string): string {
  const { fact, kind } = kindOf.get(contributionId)!;
  const f = FACTS[fact]!;
  return kind === "planted" ? f.fact : kind === "echo" ? echo(f.question) : f.topical;
}

/** Whether the planted passage scores highest (ties count as misses). */
function plantedFirst(r: Row, score: (j: number) => number): boolean {
  const planted = r.passages.findIndex((p) => p.kind === "planted");
  return r.passages.every((_, j) => j === planted || score(j) < score(planted));
}
const share = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : 0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const used = rows.filter((r) => r.answerUsesFact);
const others = rows.flatMap((r) => r.passages.filter((p) => p.kind !== "planted"));
const planted = rows.map((r) => r.passages.find((p) => p.kind === "planted")!);
const recall = (rs: Row[], score: (r: Row) => (j: number) => number) => share(rs.map((r) => plantedFirst(r, score(r))));
const ours = (r: Row) => (j: number) => r.passages[j]!.logProbDrop;
const bm25 = (r: Row) => (j: number) => -r.passages[j]!.bm25Rank;
const cosQuestion = (r: Row) => (j: number) => r.embedding!.question[j]!;
const cosAnswer = (r: Row) => (j: number) => r.embedding!.answer[j]!;
const ratio = (value: number, better: Metric["better"]): Metric => ({ value: +value.toFixed(4), unit: "ratio", better });
const seconds = (value: number): Metric => ({ value: +value.toFixed(3), unit: "s", better: "lower" });
const nats = (value: number, better: Metric["better"]): Metric => ({ value: +value.toFixed(3), unit: "nats", better });

const metrics: Record<string, Metric> = {
  plantedRecallAt1Context: ratio(recall(rows, ours), "higher"),
  plantedRecallAt1Bm25: ratio(recall(rows, bm25), "higher"),
  plantedRecallAt1Embedding: ratio(recall(rows, cosQuestion), "higher"),
  plantedRecallAt1EmbeddingAnswer: ratio(recall(rows, cosAnswer), "higher"),
  plantedRecallAt1ContextWhenAnswerUsesFact: ratio(recall(used, ours), "higher"),
  plantedRecallAt1Bm25WhenAnswerUsesFact: ratio(recall(used, bm25), "higher"),
  influenceSecondsPerAnswer: seconds(mean(rows.map((r) => r.attributionSeconds))),
  influenceCpuSecondsPerAnswer: seconds(mean(rows.map((r) => r.attributionCpuSeconds))),
  influenceSecondsPerAnswerMax: seconds(Math.max(...rows.map((r) => r.attributionSeconds))),
  generationSecondsPerAnswer: seconds(mean(rows.map((r) => r.generationSeconds))),
  influenceVsGeneration: ratio(mean(rows.map((r) => r.attributionSeconds)) / mean(rows.map((r) => r.generationSeconds)), "lower"),
  answersUsingFact: ratio(used.length / rows.length, "higher"),
  plantedRetrievedInTop4: ratio(share(rows.map((r) => r.plantedRetrieved)), "higher"),
  plantedMarkedUsed: ratio(share(planted.map((p) => p.used)), "higher"),
  otherPassagesMarkedUsed: ratio(share(others.map((p) => p.used)), "lower"),
  plantedWeightShare: ratio(mean(planted.map((p) => p.weight)) / 10_000, "higher"),
  plantedDropMedian: nats(median(planted.map((p) => p.logProbDrop)), "higher"),
  otherDropMedianAbs: nats(median(others.map((p) => Math.abs(p.logProbDrop))), "lower"),
  otherDropP90: nats(
    quantile(
      others.map((p) => p.logProbDrop),
      0.9,
    ),
    "lower",
  ),
};

const contextWallSeconds = +((performance.now() - started) / 1000).toFixed(1);

// Training influence: its own worker, which fine-tunes the model on the facts first. With
// --context-only, the file's training metrics and notes stay as they were measured.
let trainingNotes: Record<string, unknown>;
if (CONTEXT_ONLY) {
  const { file: previous, metrics: kept, date, notes } = await readSuiteResult("attribution");
  if (!kept.plantedRecallAt1Training)
    throw new Error(
      `${path.relative(root, previous)} holds no training-influence metrics to keep: run \`npm run bench -- attribution\` (both halves)`,
    );
  for (const [name, m] of Object.entries(kept)) if (!(name in metrics)) metrics[name] = m;
  trainingNotes = { ...notes, trainingMeasuredAt: notes.trainingMeasuredAt ?? date };
} else {
  const training = await measureTrainingInfluence({
    model: MODEL,
    python: PYTHON,
    workerDir: path.join(root, "trainer-node/worker"),
    threads: THREADS,
    embedScript: path.join(import.meta.dirname, "embed.py"),
  });
  Object.assign(metrics, training.metrics);
  trainingNotes = training.notes;
}

const file = await writeSuiteResult("attribution", metrics, {
  ...trainingNotes,
  model: "SmolLM2-135M-Instruct (base, no adapter), fp32 on CPU",
  attributed: `the model's own greedy answer (at most ${MAX_NEW_TOKENS} new tokens) to each question, with the top ${K} BM25 passages in the prompt exactly as chat serves them`,
  method:
    "leave-one-out over the passages (worker `attribute`, method auto, scope new_words): the log-likelihood in nats of the answer's tokens that carry a word the question does not hold; the passage with the largest drop ranks first",
  baselines: {
    bm25: "rank in the node's BM25 retrieval (DatanetIndex.search) of the question",
    embedding: "cosine of mean-pooled last hidden states of SmolLM2 (embed.py): query = the question",
    embeddingAnswer: "the same with the generated answer as the query",
  },
  notUsedThresholdNats: NOT_USED_NATS,
  facts: FACTS.length,
  corpusPassages: 3 * FACTS.length,
  wallSeconds: +((performance.now() - started) / 1000).toFixed(1),
  contextWallSeconds,
  contextMeasuredAt: new Date().toISOString(),
  workerThreads: info.threads,
  workerDevice: info.device,
  loadAverageAtEnd: os.loadavg().map((x) => +x.toFixed(2)),
  rows,
});

const table = Object.entries(metrics).map(([name, m]) => `${name.padEnd(44)} ${String(m.value).padStart(10)} ${m.unit}`);
console.log(`\n${table.join("\n")}\n\nwrote ${path.relative(root, file)}`);
