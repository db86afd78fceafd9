// bench/results/summary.json and summary.md: the headline figures of every suite that has
// results, in one table, for the README and the issue notes.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { RESULTS_DIR, machine, type Metric } from "./results.ts";

/** Headline metrics per suite; a suite not listed contributes its first six metrics. */
const HEADLINES: Record<string, string[]> = {
  gas: ["contributeOpen", "grantBySignature", "createJob1Datanet", "attributionPerCitation", "contributeVsStoreAndEmit"],
  content: ["embeddedAddThroughput", "embeddedCatThroughput", "addVsFileWrite", "validate_instruction", "validate_csv"],
  indexer: ["index_events_per_s", "txToIndexedP50Ms", "query_datanet_list_p50_ms", "query_datanet_list_p95_ms", "rss_peak_mib"],
  train: [
    "110m.lora.tokens_per_s",
    "110m.lora.mfu",
    "110m.lora_vs_full.speed",
    "110m.lora_vs_full.tensor_memory",
    "110m.qlora_vs_lora.tensor_memory",
    "110m.lora_vs_baseline.speed",
    "110m.lora_gc_vs_baseline.speed",
    "110m.lora_gc_vs_baseline.tensor_memory",
    "110m.qlora.bits_per_param",
    "110m.qlora.base_vs_bf16",
  ],
  node: ["retrieval100kP50", "retrieval100kP95", "attributionP50", "chatOverheadP50", "receiptsPerSecondBatcher", "jobOverhead"],
  frontend: ["initialJsGzip", "ttiDatanetsMedian", "ttiChatMedian", "tokenToPaintMedian"],
  stack: ["devColdSeconds", "devWarmSeconds"],
  raft: [
    "withSources.plain.perplexity",
    "withSources.raft.perplexity",
    "withSources.plain.rougeL",
    "withSources.raft.rougeL",
    "raftVsPlain.perplexity",
    "raftVsPlain.rougeL",
  ],
  attribution: [
    "plantedRecallAt1Context",
    "plantedRecallAt1Bm25",
    "plantedRecallAt1Embedding",
    "plantedRecallAt1EmbeddingAnswer",
    "plantedRecallAt1ContextWhenAnswerUsesFact",
    "influenceSecondsPerAnswer",
  ],
};
const ORDER = ["gas", "content", "indexer", "train", "node", "frontend", "stack", "attribution", "raft"];

export async function writeSummary(): Promise<void> {
  const metrics: Record<string, Metric & { date?: string }> = {};
  const rows: string[] = ["| suite | metric | value | unit | better |", "| --- | --- | --- | --- | --- |"];
  for (const suite of ORDER) {
    const file = path.join(RESULTS_DIR, `${suite}.json`);
    if (!existsSync(file)) continue;
    const result = JSON.parse(await readFile(file, "utf8")) as { date?: string; metrics: Record<string, Metric> };
    const names = HEADLINES[suite]?.filter((n) => n in result.metrics) ?? Object.keys(result.metrics).slice(0, 6);
    for (const name of names) {
      const m = result.metrics[name]!;
      metrics[`${suite}.${name}`] = { ...m, date: result.date };
      rows.push(`| ${suite} | ${name} | ${m.value} | ${m.unit} | ${m.better} |`);
    }
  }
  await writeFile(
    path.join(RESULTS_DIR, "summary.json"),
    JSON.stringify({ suite: "summary", machine: machine(), date: new Date().toISOString(), metrics }, null, 2) + "\n",
  );
  await writeFile(
    path.join(RESULTS_DIR, "summary.md"),
    `# Benchmark summary\n\nHeadline figures of each suite's latest run (\`npm run bench\`); full results in \`bench/results/<suite>.json\`.\n\n${rows.join("\n")}\n`,
  );
  console.log(`\nwrote bench/results/summary.json and summary.md (${Object.keys(metrics).length} headline figures)`);
}
