// `node bench/node/run.ts`: the trainer node's retrieval, attribution and receipt figures.
// Writes bench/results/node.json and prints a table. Targets (issue 6): retrieval p50 ≤ 5 ms at
// 100k passages, attribution ≤ 20 ms per answer. Machines are shared, so each latency is also
// given as a ratio to a reference measured in the same run (sorting 100k random numbers).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { writeSuiteResult, type Metric } from "../lib/results.ts";
import { contributions, rng, Zipf } from "./corpus.ts";
import { measureJobOverhead } from "./job-overhead.ts";
import { measureChatSpeed } from "./chat-speed.ts";
import { attribute, buildContext } from "../../trainer-node/src/rag/attribution.ts";
import { DatanetIndex, type RetrievedPassage } from "../../trainer-node/src/rag/datanet-index.ts";
import { buildReceipt, receiptLeafFromDocument } from "../../sdk/src/protocol/receipt-document.ts";
import { buildReceiptBatch } from "../../trainer-node/src/receipts/merkle.ts";
import { canonicalJson } from "../../sdk/src/protocol/canonical-json.ts";
import { ReceiptBatcher, type PostBatchRequest } from "../../trainer-node/src/receipts/batcher.ts";
import { EmbeddedContentStore } from "../../sdk/src/content/embedded.ts";

const metrics: Record<string, Metric> = {};
const notes: Record<string, string> = {};
const ms = (value: number): Metric => ({ value: +value.toFixed(3), unit: "ms", better: "lower" });
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

function reference(): number {
  const random = rng(7);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const a = Float64Array.from({ length: 100_000 }, random);
    const t = performance.now();
    a.sort();
    times.push(performance.now() - t);
  }
  return quantile(times, 0.5);
}

const random = rng(42);
const zipf = new Zipf(50_000, random);

/** A question made of words from some indexed record plus common words, as a person would ask it. */
function question(texts: string[]): string {
  const p = texts[Math.floor(random() * texts.length)]!.split(/\W+/).filter((w) => w.length > 3);
  const words = Array.from({ length: 3 + Math.floor(random() * 4) }, () => p[Math.floor(random() * p.length)] ?? zipf.word());
  return `How does ${words.join(" ")} relate to ${zipf.word()} ${zipf.word()}?`;
}

async function retrieval(passages: number, refMs: number): Promise<{ index: DatanetIndex; questions: string[] }> {
  const corpus = [...contributions(passages, zipf, random)];
  const texts = corpus.filter((_, i) => i % 7 === 0).map((c) => JSON.stringify(c.records));
  const index = new DatanetIndex();
  const t0 = performance.now();
  for (const c of corpus) {
    index.upsertContribution(
      {
        contributionId: c.id,
        datanetId: c.datanetId,
        contributor: "0x00000000000000000000000000000000000000c1",
        timestamp: 0,
        transactionHash: "0x00",
        contentId: "bafy",
        metadataURI: "",
      },
      c.records,
    );
  }
  const buildMs = performance.now() - t0;
  const stats = index.stats();
  const allowed = Array.from({ length: 10 }, (_, i) => 2 * (i + 1)); // a caller holding retrieve grants on half the Datanets
  const questions = Array.from({ length: 1000 }, () => question(texts));
  for (const q of questions.slice(0, 100)) index.search(q, allowed, 5); // warm-up
  const times: number[] = [];
  for (const q of questions) {
    const t = performance.now();
    index.search(q, allowed, 5);
    times.push(performance.now() - t);
  }
  const label = passages >= 1000 ? `${passages / 1000}k` : String(passages);
  const p50 = quantile(times, 0.5);
  metrics[`retrieval${label}P50`] = ms(p50);
  metrics[`retrieval${label}P95`] = ms(quantile(times, 0.95));
  metrics[`retrieval${label}P50VsReference`] = { value: +(p50 / refMs).toFixed(4), unit: "ratio", better: "lower" };
  metrics[`indexBuild${label}`] = ms(buildMs);
  metrics[`indexBuild${label}PerPassage`] = { value: +((buildMs * 1000) / stats.documents).toFixed(1), unit: "µs", better: "lower" };
  notes[`corpus${label}`] =
    `${stats.documents} passages, ${stats.contributions} contributions, ${stats.terms} terms, ${stats.postings} postings, avg ${stats.averageLength.toFixed(1)} terms/passage`;
  return { index, questions };
}

function attribution(index: DatanetIndex, questions: string[], refMs: number): void {
  const all = Array.from({ length: 20 }, (_, i) => i + 1);
  const attributeTimes: number[] = [];
  const overheadTimes: number[] = [];
  for (const [i, q] of questions.slice(0, 300).entries()) {
    const t0 = performance.now();
    const retrieved = index.search(q, all, 5);
    const t1 = performance.now();
    // A ~130-word answer quoting two retrieved passages, the rest model prose.
    const quote = (p: RetrievedPassage | undefined) => (p ? p.passage.text.split(" ").slice(5, 20).join(" ") : "");
    const answer = `${zipf.text(40)} ${quote(retrieved[0])} ${zipf.text(40)} ${quote(retrieved[1])} ${zipf.text(20)}`;
    const t2 = performance.now();
    buildContext(retrieved);
    const citations = attribute({ question: q, answer, retrieved });
    const t3 = performance.now();
    buildReceipt({ modelId: 1n, question: q, answer, citations });
    const t4 = performance.now();
    if (i >= 20) {
      attributeTimes.push(t3 - t2);
      overheadTimes.push(t1 - t0 + (t4 - t2));
    }
  }
  const p50 = quantile(attributeTimes, 0.5);
  metrics.attributionP50 = ms(p50);
  metrics.attributionP95 = ms(quantile(attributeTimes, 0.95));
  metrics.attributionP50VsReference = { value: +(p50 / refMs).toFixed(4), unit: "ratio", better: "lower" };
  metrics.chatOverheadP50 = ms(quantile(overheadTimes, 0.5));
  metrics.chatOverheadP95 = ms(quantile(overheadTimes, 0.95));
  notes.chatOverhead = "per answer, beyond generation: retrieval over 100k passages + context + attribution + receipt document and leaf";
}

/** `n` receipts of five citations each, over contribution ids 1…`contributions`. */
function receiptDocs(n: number, contributions = 9999) {
  return Array.from({ length: n }, (_, i) => {
    const citations = Array.from({ length: 5 }, (_, r) => ({
      rank: r + 1,
      contributionId: String(1 + ((i * 5 + r) % contributions)),
      datanetId: "1",
      contributor: "0x00000000000000000000000000000000000000c1" as const,
      timestamp: 1_700_000_000,
      transactionHash: `0x${"ab".repeat(32)}` as const,
      contentId: "bafy",
      metadataURI: "ipfs://m",
      score: 7.2 - r,
      weight: 2000 - r,
      passage: { text: zipf.text(100), start: 0, end: 600 },
      sourceSpans: [{ start: 0, end: 10 }],
      answerSpans: [{ start: 3, end: 14 }],
      reason: "Shares 3 terms with the question (a, b, c) and 2 phrases with the answer; BM25 score 7.20, rank 1 of 5.",
    }));
    return buildReceipt({ modelId: 1n, question: zipf.text(12), answer: zipf.text(120), citations }).document;
  });
}

async function receipts(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mf-bench-node-"));
  const store = await EmbeddedContentStore.open({ directory: path.join(dir, "content") });
  try {
    const docs = receiptDocs(2048);
    // Tree, proofs and batch document (leaf hashes, canonical JSON, content store put), 256 per batch.
    let t = performance.now();
    for (let i = 0; i < docs.length; i += 256) {
      const batch = docs.slice(i, i + 256);
      const tree = buildReceiptBatch(batch.map(receiptLeafFromDocument));
      await store.put(
        new TextEncoder().encode(canonicalJson({ schema: "modelfactory.receipts/1", modelId: "1", root: tree.root, receipts: batch })),
      );
    }
    metrics.receiptsPerSecondBatched = {
      value: Math.round(docs.length / ((performance.now() - t) / 1000)),
      unit: "receipts/s",
      better: "higher",
    };

    // The whole batcher: journal (fsync, group commit), tree, store, post (no-op), status bookkeeping.
    const posted: PostBatchRequest[] = [];
    const batcher = await ReceiptBatcher.open({
      dataDir: path.join(dir, "batcher"),
      contentStore: store,
      maxReceipts: 256,
      maxDelayMs: 3_600_000,
      postBatch: async (r) => (posted.push(r), { batchId: BigInt(posted.length), transactionHash: `0x${"00".repeat(32)}` }),
    });
    t = performance.now();
    await Promise.all(docs.map((d) => batcher.add(d)));
    await batcher.flush();
    metrics.receiptsPerSecondBatcher = {
      value: Math.round(docs.length / ((performance.now() - t) / 1000)),
      unit: "receipts/s",
      better: "higher",
    };
    await batcher.close();
    notes.receipts = "5 citations per receipt, 256 receipts per batch, embedded content store on local disk";

    // The ledger refuses citations of contributions that do not exist: on chain, 64 real ones.
    const chain = await onChain(dir, store, receiptDocs(docs.length, ON_CHAIN_CONTRIBUTIONS));
    if (chain) metrics.receiptsPerSecondOnChain = { value: chain, unit: "receipts/s", better: "higher" };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The batcher posting through AttributionLedger on Hardhat's in-process chain. */
const ON_CHAIN_CONTRIBUTIONS = 64;

async function onChain(dir: string, store: EmbeddedContentStore, docs: ReturnType<typeof receiptDocs>): Promise<number | null> {
  try {
    const { network } = await import("hardhat");
    const { deployProtocol } = await import("../../scripts/lib/deploy.ts");
    const { attributionLedgerPoster } = await import("../../trainer-node/src/receipts/ledger.ts");
    const { keccak256, stringToBytes } = await import("viem");
    const connection = (await network.create()) as unknown as { viem: Parameters<typeof deployProtocol>[0] };
    const viem = connection.viem;
    const [admin, , , , builder, trainer] = await viem.getWalletClients();
    const publicClient = await viem.getPublicClient();
    const p = await deployProtocol(viem, admin!.account.address);
    const h = (s: string) => keccak256(stringToBytes(s));
    const as = (w: typeof admin) => ({ account: w!.account });
    type Write = Record<string, (args: unknown[], o: unknown) => Promise<`0x${string}`>>;
    await (p.trainerRegistry.write as unknown as Write).admitTrainer!(
      [trainer!.account.address, "http://127.0.0.1:8787", "ipfs://node"],
      as(admin),
    );
    await (p.datanetRegistry.write as unknown as Write).createDatanet!(["ipfs://m", "MIT", 0, 0], as(admin));
    for (let c = 1; c <= ON_CHAIN_CONTRIBUTIONS; c++)
      await (p.datanetRegistry.write as unknown as Write).contribute!([1n, h(`content ${c}`), `bafy${c}`, "ipfs://meta"], as(builder));
    await (p.trainingJobs.write as unknown as Write).createJob!([[1n], "ipfs://spec", h("spec")], as(builder));
    await (p.trainingJobs.write as unknown as Write).claimJob!([1n], as(trainer));
    await (p.trainingJobs.write as unknown as Write).completeJob!(
      [1n, "bafy", h("a"), "ipfs://m", h("root"), "ipfs://manifest"],
      as(trainer),
    );
    const poster = attributionLedgerPoster({ publicClient, walletClient: trainer!, address: p.attributionLedger.address });
    const batcher = await ReceiptBatcher.open({
      dataDir: path.join(dir, "chain"),
      contentStore: store,
      maxReceipts: 256,
      maxDelayMs: 3_600_000,
      ...poster,
    });
    const t = performance.now();
    await Promise.all(docs.map((d) => batcher.add(d)));
    const { posted } = await batcher.flush();
    const seconds = (performance.now() - t) / 1000;
    await batcher.close();
    notes.receiptsOnChain = `${posted.length} postBatch transactions on Hardhat's in-process chain (EDR), automine`;
    return Math.round(docs.length / seconds);
  } catch (e) {
    notes.receiptsOnChain = `not measured: ${(e as Error).message.split("\n")[0]}`;
    return null;
  }
}

const refMs = reference();
metrics.referenceSort100k = ms(refMs);
await retrieval(10_000, refMs);
const big = await retrieval(100_000, refMs);
attribution(big.index, big.questions, refMs);
await receipts();
const job = await measureJobOverhead();
if (job) Object.assign(metrics, job);
else notes.jobOverhead = "not measured yet (bench/node/job-overhead.ts)";
Object.assign(metrics, await measureChatSpeed(notes));

const file = await writeSuiteResult("node", metrics, {
  targets: {
    retrieval100kP50: "≤ 5 ms",
    attributionP50: "≤ 20 ms",
    chatNextTurnFirstTokenMs1k: "≤ 1500 ms (the 1k-token context in the KV cache, not recomputed)",
    chatFirstTokenMs1k: "reported: a new 1k-token conversation, every token prefilled",
    chatDecodeTokensPerSecond: "≥ 15 tokens/s",
    chatDecodeTokensPerSecondWithAdapter: "≥ 15 tokens/s (a LoRA adapter active, as chat with a tuned model serves it)",
  },
  reference: "referenceSort100k: Float64Array.sort of 100k random numbers, median of 15, same run",
  notes,
});
console.log(`\n${"metric".padEnd(30)} ${"value".padStart(12)}  unit`);
for (const [name, m] of Object.entries(metrics)) console.log(`${name.padEnd(30)} ${String(m.value).padStart(12)}  ${m.unit}`);
for (const [k, v] of Object.entries(notes)) console.log(`  ${k}: ${v}`);
console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
