// Chat speed on this machine's CPU with the real demo model (SmolLM2-135M-Instruct): time to the
// first streamed token with a ~1k-token prompt (system text, retrieved passages, question — the
// shape chat sends), and decode tokens/s after it. Through the node's own worker protocol, so the
// figure includes everything but HTTP. Measured twice: a new conversation (every token prefilled)
// and its next turn (the worker's KV prefix cache holds the context already seen), then again
// with a LoRA adapter of the demo's shape (r 16 on every linear layer, two training steps), which
// chat serves from a copy with the adapter merged in; then the base in the other serving precisions
// (float32, the reference, and where the CPU multiplies bf16 natively bf16 and int8). Targets
// (issue 14): first token ≤ 1.5 s with a 1k-token context, ≥ 15 tokens/s.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { prepareContribution, serializeRecords, type DatasetRecord } from "@modelfactory/sdk/node";
import { WorkerClient } from "../../trainer-node/src/worker-client.ts";
import type { Metric } from "../lib/results.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MODEL = path.join(ROOT, "trainer-node/models/smollm2-135m-instruct");
const PYTHON = path.join(ROOT, "trainer-node/worker/.venv/bin/python");

const NOTES = path.join(ROOT, "demo/datanets/home-espresso/contributions/dialing-in-notes.jsonl");

/** Demo records as numbered passages, until the prompt holds about `targetChars` characters. */
function passages(records: readonly DatasetRecord[], targetChars: number): string {
  let out = "";
  for (let i = 0; out.length < targetChars && i < records.length; i++) {
    const r = records[i]!;
    if (r.kind === "instruction") out += `[${i + 1}] ${r.instruction} ${r.output}\n`;
  }
  return out;
}

export async function measureChatSpeed(notes: Record<string, string>): Promise<Record<string, Metric> | null> {
  if (!existsSync(path.join(MODEL, "config.json")) || !existsSync(PYTHON)) {
    notes.chatSpeed = `not measured: ${MODEL} or the worker environment is missing (npm run setup:worker)`;
    return null;
  }
  const start = (env: Record<string, string> = {}) =>
    new WorkerClient({
      command: [PYTHON, "-m", "modelfactory_worker"],
      cwd: path.join(ROOT, "trainer-node/worker"),
      hangMs: 300_000,
      startMs: 120_000,
      // Every core, as a serving node runs it: the test stack that job-overhead.ts imports sets
      // MODELFACTORY_WORKER_THREADS=1 for this whole process (test workers share the cores).
      env: { MODELFACTORY_WORKER_THREADS: "0", ...env },
    });
  let worker = start();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "mf-chat-speed-"));
  try {
    // The demo file read as the node reads a contribution: validated and canonical.
    const { records } = await prepareContribution({ bytes: readFileSync(NOTES), fileName: path.basename(NOTES) });
    await worker.request("load", { model: MODEL });
    const question = "My shots run fast and taste sour. Walk me through what to change, step by step, and why.";
    const followUp = "And if the shot then runs too slow and tastes bitter, what do I change back first?";
    type Turn = { first: number; tps: number; prompt: number; cached: number; completion: number; text: string };
    const turn = async (messages: { role: "system" | "user" | "assistant"; content: string }[], adapter?: string): Promise<Turn> => {
      let first = 0;
      const t0 = performance.now();
      const r = await worker.request(
        "generate",
        { messages, max_new_tokens: 96, temperature: 0, stream: true, ...(adapter ? { adapter } : {}) },
        {
          onEvent: (e) => {
            if ((e as { event?: string }).event === "token" && first === 0) first = performance.now();
          },
        },
      );
      const end = performance.now();
      const decoded = r.usage.completion_tokens - 1;
      return {
        first: first - t0,
        tps: decoded > 0 ? decoded / ((end - first) / 1000) : 0,
        prompt: r.usage.prompt_tokens,
        cached: r.usage.cached_tokens,
        completion: r.usage.completion_tokens,
        text: r.text,
      };
    };
    // Each conversation opens with its own line, so no cold prompt shares a prefix with another
    // (the worker's KV prefix cache would otherwise serve it); ~4.2 characters per token for this
    // English text with SmolLM2's tokenizer, checked by the prompt size reported below.
    const conversations = async (label: string, adapter?: string) => {
      const cold: Turn[] = [];
      const warm: Turn[] = [];
      for (let i = 0; i < 4; i++) {
        const opening: { role: "system" | "user" | "assistant"; content: string }[] = [
          {
            role: "system",
            content: `${label} conversation ${i + 1}. Answer from these sources of the Home Espresso Clinic Datanet; cite them as [n].\n${passages(records, 4200)}`,
          },
          { role: "user", content: question },
        ];
        const a = await turn(opening, adapter);
        // The next turn of the same conversation: ~1.1k tokens of context the worker has already seen.
        const b = await turn([...opening, { role: "assistant", content: a.text }, { role: "user", content: followUp }], adapter);
        // The first conversation warms kernels and allocators (and builds the merged copy); the
        // median of the others is reported.
        if (i > 0) {
          cold.push(a);
          warm.push(b);
        }
      }
      return { cold, warm };
    };
    const { cold, warm } = await conversations("Base");
    // A LoRA adapter of the demo's shape; two steps make its weights non-zero, which is all speed needs.
    writeFileSync(path.join(tmp, "train.jsonl"), serializeRecords(records.slice(0, 16)));
    await worker.request("train", {
      data: { train: path.join(tmp, "train.jsonl") },
      output_dir: path.join(tmp, "out"),
      adapter: "bench",
      config: { max_steps: 2, batch_size: 4, max_seq_len: 128, lora: { r: 16, alpha: 32, targets: "all-linear" } },
    });
    const tuned = await conversations("Tuned", "bench");
    if ([...cold, ...tuned.cold].some((t) => t.cached !== 0))
      throw new Error(
        `a cold prompt was served from the prefix cache (${[...cold, ...tuned.cold].map((t) => t.cached).join(", ")} tokens): the benchmark's prompts must not share a prefix`,
      );
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const info = await worker.request("info", {});
    const device = info.compute_device;
    const serving = info.serving.precision;
    // The other precisions in the same run (MODELFACTORY_WORKER_SERVING_PRECISION), each by its own
    // worker: float32, the reference, and bf16 and int8 where the CPU multiplies bf16 natively (as
    // the worker reports; elsewhere they are emulated).
    const alternative: Record<string, Metric> = {};
    const precisions = info.serving.native_bf16 ? (["float32", "bfloat16", "int8"] as const) : (["float32"] as const);
    const alternatives = precisions.filter((p) => p !== serving);
    const labels = { float32: "Float32", bfloat16: "Bf16", int8: "Int8" } as const;
    const base = median([...cold, ...warm].map((r) => r.tps));
    for (const precision of alternatives) {
      const label = labels[precision];
      await worker.close().catch(() => worker.kill());
      worker = start({ MODELFACTORY_WORKER_SERVING_PRECISION: precision });
      await worker.request("load", { model: MODEL });
      const other = await conversations(label);
      const tps = median([...other.cold, ...other.warm].map((r) => r.tps));
      alternative[`chatFirstTokenMs1k${label}`] = {
        value: Math.round(median(other.cold.map((r) => r.first))),
        unit: "ms",
        better: "lower",
      };
      alternative[`chatDecodeTokensPerSecond${label}`] = { value: +tps.toFixed(1), unit: "tokens/s", better: "higher" };
      alternative[`chatDecodeVs${label}`] = { value: +(base / tps).toFixed(3), unit: "ratio", better: "higher" };
    }
    notes.chatSpeed = `SmolLM2-135M-Instruct on ${device}, served in ${serving} (worker serving.py; int8: every linear layer's weight in int8, bf16 matmul inputs)${alternatives.length ? `; *${alternatives.map((p) => labels[p]).join(", *")}: the base served in that precision by another worker in the same run (MODELFACTORY_WORKER_SERVING_PRECISION), chatDecodeVs*: this run's default against it` : ""}, greedy, median of ${cold.length} conversations after a warm-up. Cold: a new conversation, prompt ${cold[0]!.prompt} tokens, all prefilled. Next turn: the same conversation with the model's answer and a follow-up question, prompt ${warm[0]!.prompt} tokens of which ${median(warm.map((t) => t.cached))} come from the KV prefix cache. First token = request to first streamed token (prefill + one step). "WithAdapter": the same with a LoRA adapter (r 16, every linear layer) active, served from a copy with the adapter merged into the weights`;
    return {
      chatFirstTokenMs1k: { value: Math.round(median(cold.map((r) => r.first))), unit: "ms", better: "lower" },
      chatNextTurnFirstTokenMs1k: { value: Math.round(median(warm.map((r) => r.first))), unit: "ms", better: "lower" },
      chatDecodeTokensPerSecond: { value: +median([...cold, ...warm].map((r) => r.tps)).toFixed(1), unit: "tokens/s", better: "higher" },
      chatPromptTokens: { value: cold[0]!.prompt, unit: "tokens", better: "higher" },
      chatNextTurnPromptTokens: { value: warm[0]!.prompt, unit: "tokens", better: "higher" },
      chatNextTurnCachedTokens: { value: median(warm.map((t) => t.cached)), unit: "tokens", better: "higher" },
      chatFirstTokenMs1kWithAdapter: { value: Math.round(median(tuned.cold.map((r) => r.first))), unit: "ms", better: "lower" },
      chatNextTurnFirstTokenMs1kWithAdapter: { value: Math.round(median(tuned.warm.map((r) => r.first))), unit: "ms", better: "lower" },
      chatDecodeTokensPerSecondWithAdapter: {
        value: +median([...tuned.cold, ...tuned.warm].map((r) => r.tps)).toFixed(1),
        unit: "tokens/s",
        better: "higher",
      },
      ...alternative,
    };
  } finally {
    await worker.close().catch(() => worker.kill());
    rmSync(tmp, { recursive: true, force: true });
  }
}
