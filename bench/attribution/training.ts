// Training influence on the real model: each planted fact of facts.ts is taught by its own
// contribution, beside two distractor contributions per fact that share the question's words (one
// echoes the question and answers something else, one talks about the subject without the fact).
// SmolLM2-135M-Instruct is fine-tuned with LoRA on all of them (a short schedule); then for each
// question the tuned model answers with no sources in the prompt, and the worker's `influence`
// ranks all contributions by how their training gradients align with that answer's. Recall@1: the
// planted contribution first among all of them. Baselines from the same run: BM25 over the
// contributions' text, and representation similarity (embed.py) with the question or the answer.
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Metric } from "../lib/results.ts";
import { FACTS, echo } from "./facts.ts";
import { DatanetIndex } from "../../trainer-node/src/rag/datanet-index.ts";
import { WorkerClient } from "../../trainer-node/src/worker-client.ts";

type Record_ = { schema: "modelfactory.record/1"; kind: "instruction"; instruction: string; input: string; output: string };
const rec = (instruction: string, output: string): Record_ => ({
  schema: "modelfactory.record/1",
  kind: "instruction",
  instruction,
  input: "",
  output,
});

type Contribution = { id: string; fact: number; kind: "planted" | "echo" | "topical"; records: Record_[] };

function contributions(): Contribution[] {
  return FACTS.flatMap((f, i) => [
    {
      id: String(3 * i + 1),
      fact: i,
      kind: "planted" as const,
      records: [rec(f.question, f.fact), rec(`Quick question: ${f.question.charAt(0).toLowerCase()}${f.question.slice(1)}`, f.fact)],
    },
    // Distractors share the question's words in their prompts and texts, but ask something else.
    {
      id: String(3 * i + 2),
      fact: i,
      kind: "echo" as const,
      records: [
        rec(`Who answers visitors when they ask "${f.question}"`, echo(f.question)),
        rec(
          `Do people often wonder: ${f.question}`,
          "Yes, it is one of the most common questions, and the staff answer it at the front desk every day.",
        ),
      ],
    },
    {
      id: String(3 * i + 3),
      fact: i,
      kind: "topical" as const,
      records: [rec(`What do locals say when someone wonders: ${f.question}`, f.topical)],
    },
  ]);
}

export type TrainingInfluence = { metrics: Record<string, Metric>; notes: Record<string, unknown> };

export async function measureTrainingInfluence(opts: {
  model: string;
  python: string;
  workerDir: string;
  threads: number;
  embedScript: string;
}): Promise<TrainingInfluence> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mf-bench-influence-"));
  const worker = new WorkerClient({
    command: [opts.python, "-m", "modelfactory_worker"],
    cwd: opts.workerDir,
    hangMs: 900_000,
    startMs: 300_000,
    env: { MODELFACTORY_WORKER_THREADS: String(opts.threads) },
  });
  try {
    const cs = contributions();
    await mkdir(path.join(dir, "c"), { recursive: true });
    const files = await Promise.all(
      cs.map(async (c) => {
        const file = path.join(dir, "c", `${c.id}.jsonl`);
        await writeFile(file, c.records.map((r) => JSON.stringify(r)).join("\n") + "\n");
        return { id: c.id, records: file };
      }),
    );
    const all = cs.flatMap((c) => c.records);
    await writeFile(path.join(dir, "train.jsonl"), all.map((r) => JSON.stringify(r)).join("\n") + "\n");
    await writeFile(
      path.join(dir, "eval.jsonl"),
      all
        .slice(0, 4)
        .map((r) => JSON.stringify(r))
        .join("\n") + "\n",
    );
    await worker.request("load", { model: opts.model, device: "cpu" });
    const config = {
      learning_rate: 2e-3,
      epochs: 5,
      batch_size: 4,
      max_seq_len: 128,
      scheduler: "cosine" as const,
      warmup_ratio: 0.05,
      lora: { r: 16, alpha: 32 },
    };
    let t = performance.now();
    const trained = await worker.request("train", {
      data: { train: path.join(dir, "train.jsonl"), eval: path.join(dir, "eval.jsonl") },
      adapter: "tuned",
      output_dir: path.join(dir, "run"),
      config,
    });
    const trainSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const index = await worker.request("influence_index", {
      adapter: "tuned",
      contributions: files,
      out: path.join(dir, "influence.safetensors"),
      per_contribution: 8,
      max_length: 128,
    });
    const indexSeconds = (performance.now() - t) / 1000;

    const bm25 = new DatanetIndex();
    for (const c of cs) {
      bm25.upsertContribution(
        {
          contributionId: BigInt(c.id),
          datanetId: 1n,
          contributor: "0x00000000000000000000000000000000000000c1",
          timestamp: 0,
          transactionHash: `0x${"0".repeat(64)}`,
          contentId: `bench-${c.id}`,
          metadataURI: "",
        },
        c.records,
      );
    }
    type Row = {
      question: string;
      answer: string;
      answerUsesFact: boolean;
      influenceTop: string;
      influenceSeconds: number;
      generationSeconds: number;
      bm25Top: string | null;
      planted: string;
      plantedScore: number;
      bestOtherScore: number;
    };
    const rows: Row[] = [];
    for (const [i, f] of FACTS.entries()) {
      const messages = [{ role: "user" as const, content: f.question }];
      t = performance.now();
      const generated = await worker.request("generate", { messages, adapter: "tuned", max_new_tokens: 32, stream: false });
      const generationSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      const ranked = await worker.request("influence", {
        adapter: "tuned",
        index: index.path,
        messages,
        answer: generated.text,
        top: cs.length,
      });
      const influenceSeconds = (performance.now() - t) / 1000;
      const planted = String(3 * i + 1);
      const scoreOf = (id: string) => ranked.ranking.find((r) => r.contribution === id)!.score;
      rows.push({
        question: f.question,
        answer: generated.text,
        answerUsesFact: generated.text.toLowerCase().includes(f.key),
        influenceTop: ranked.ranking[0]!.contribution,
        influenceSeconds,
        generationSeconds,
        bm25Top: bm25.search(f.question, [1n], 1)[0]?.contribution.contributionId ?? null,
        planted,
        plantedScore: scoreOf(planted),
        bestOtherScore: Math.max(...ranked.ranking.filter((r) => r.contribution !== planted).map((r) => r.score)),
      });
      const row = rows.at(-1)!;
      console.log(
        `${String(i + 1).padStart(2)}. training ${row.influenceTop === planted ? "✓" : "✗"} ${influenceSeconds.toFixed(1)} s  ${JSON.stringify(generated.text.slice(0, 70))}`,
      );
    }

    // Representation baseline over every contribution's text, with the question and with the answer.
    const texts = cs.map((c) => c.records.map((r) => `${r.instruction} ${r.output}`).join("\n"));
    const embedded = spawnSync(opts.python, [opts.embedScript], {
      input: JSON.stringify({
        model: opts.model,
        items: rows.map((r) => ({ queries: { question: r.question, answer: r.answer }, passages: texts })),
      }),
      env: { ...process.env, HF_HUB_OFFLINE: "1", OMP_NUM_THREADS: String(opts.threads) },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (embedded.status !== 0) throw new Error(`embed.py failed: ${embedded.stderr.toString().slice(-2000)}`);
    const emb = (JSON.parse(embedded.stdout.toString()) as { items: { question: number[]; answer: number[] }[] }).items;
    const argmax = (xs: number[]) => xs.reduce((best, x, j) => (x > xs[best]! ? j : best), 0);
    const share = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : 0);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = (value: number): Metric => ({ value: +value.toFixed(4), unit: "ratio", better: "higher" });
    const used = rows.filter((r) => r.answerUsesFact);
    const metrics: Record<string, Metric> = {
      plantedRecallAt1Training: ratio(share(rows.map((r) => r.influenceTop === r.planted))),
      plantedRecallAt1TrainingWhenAnswerUsesFact: ratio(share(used.map((r) => r.influenceTop === r.planted))),
      plantedRecallAt1TrainingBm25: ratio(share(rows.map((r) => r.bm25Top === r.planted))),
      plantedRecallAt1TrainingBm25WhenAnswerUsesFact: ratio(share(used.map((r) => r.bm25Top === r.planted))),
      plantedRecallAt1TrainingEmbeddingWhenAnswerUsesFact: ratio(
        share(emb.flatMap((e, i) => (rows[i]!.answerUsesFact ? [cs[argmax(e.question)]!.id === rows[i]!.planted] : []))),
      ),
      plantedRecallAt1TrainingEmbedding: ratio(share(emb.map((e, i) => cs[argmax(e.question)]!.id === rows[i]!.planted))),
      plantedRecallAt1TrainingEmbeddingAnswer: ratio(share(emb.map((e, i) => cs[argmax(e.answer)]!.id === rows[i]!.planted))),
      tunedAnswersUsingFact: ratio(used.length / rows.length),
      trainingInfluenceSecondsPerAnswer: { value: +mean(rows.map((r) => r.influenceSeconds)).toFixed(3), unit: "s", better: "lower" },
      trainingInfluenceIndexSeconds: { value: +indexSeconds.toFixed(1), unit: "s", better: "lower" },
    };
    return {
      metrics,
      notes: {
        trainingInfluence: {
          method:
            "worker `influence_index` + `influence`: per training record (up to 8 sampled per contribution, one per distinct response first) the gradient of the LoRA adapter's response loss, CountSketched to 8192 dimensions; an answer's score against a contribution is the best cosine of its own loss gradient with one of the contribution's records' (TracIn / LESS)",
          contributions: cs.length,
          records: all.length,
          train: { config, seconds: +trainSeconds.toFixed(1), steps: trained.total_steps, finalLoss: trained.final_loss },
          baselines: {
            bm25: "the top contribution of the node's BM25 index (DatanetIndex.search) for the question",
            embedding: "cosine of mean-pooled last hidden states (embed.py, base model) between the question and each contribution's text",
            embeddingAnswer: "the same with the tuned model's answer as the query",
          },
          rows,
        },
      },
    };
  } finally {
    await worker.close().catch(() => worker.kill());
    await rm(dir, { recursive: true, force: true });
  }
}
