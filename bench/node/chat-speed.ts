// Chat speed on this machine's CPU with the real demo model (SmolLM2-135M-Instruct): time to the
// first streamed token with a ~1k-token prompt (system text, retrieved passages, question — the
// shape chat sends), and decode tokens/s after it. Through the node's own worker protocol, so the
// figure includes everything but HTTP. Targets (issue 14): first token ≤ 1.5 s, ≥ 15 tokens/s.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { WorkerClient } from "../../trainer-node/src/worker-client.ts";
import type { Metric } from "../lib/results.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MODEL = path.join(ROOT, "trainer-node/models/smollm2-135m-instruct");
const PYTHON = path.join(ROOT, "trainer-node/worker/.venv/bin/python");

/** Demo records as numbered passages, until the prompt holds about `targetTokens` tokens. */
function passages(targetChars: number): string {
  const lines = readFileSync(path.join(ROOT, "demo/datanets/home-espresso/contributions/dialing-in-notes.jsonl"), "utf8").trim().split("\n");
  let out = "";
  for (let i = 0; out.length < targetChars && i < lines.length; i++) {
    const r = JSON.parse(lines[i]!) as { instruction: string; output: string };
    out += `[${i + 1}] ${r.instruction} ${r.output}\n`;
  }
  return out;
}

export async function measureChatSpeed(notes: Record<string, string>): Promise<Record<string, Metric> | null> {
  if (!existsSync(path.join(MODEL, "config.json")) || !existsSync(PYTHON)) {
    notes.chatSpeed = `not measured: ${MODEL} or the worker environment is missing (npm run setup:worker)`;
    return null;
  }
  const worker = new WorkerClient({ command: [PYTHON, "-m", "modelfactory_worker"], cwd: path.join(ROOT, "trainer-node/worker"), hangMs: 300_000, startMs: 120_000 });
  try {
    await worker.request("load", { model: MODEL });
    const question = "My shots run fast and taste sour. Walk me through what to change, step by step, and why.";
    // ~4.2 characters per token for this English text with SmolLM2's tokenizer; checked below.
    const messages = [
      { role: "system" as const, content: `Answer from these sources of the Home Espresso Clinic Datanet; cite them as [n].\n${passages(4200)}` },
      { role: "user" as const, content: question },
    ];
    const runs: { first: number; tps: number; prompt: number; completion: number }[] = [];
    for (let i = 0; i < 4; i++) {
      let first = 0;
      const t0 = performance.now();
      const r = await worker.request("generate", { messages, max_new_tokens: 96, temperature: 0, stream: true }, {
        onEvent: (e) => {
          if ((e as { event?: string }).event === "token" && first === 0) first = performance.now();
        },
      });
      const end = performance.now();
      const decoded = r.usage.completion_tokens - 1;
      // The first run warms kernels and allocators; the median of the others is reported.
      if (i > 0) runs.push({ first: first - t0, tps: decoded > 0 ? decoded / ((end - first) / 1000) : 0, prompt: r.usage.prompt_tokens, completion: r.usage.completion_tokens });
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const prompt = runs[0]!.prompt;
    notes.chatSpeed = `SmolLM2-135M-Instruct on ${(await worker.request("info", {})).compute_device}, greedy, prompt ${prompt} tokens, ${runs[0]!.completion} new tokens, median of ${runs.length} after a warm-up; first token = request to first streamed token (prefill + one step)`;
    return {
      chatFirstTokenMs1k: { value: Math.round(median(runs.map((r) => r.first))), unit: "ms", better: "lower" },
      chatDecodeTokensPerSecond: { value: +median(runs.map((r) => r.tps)).toFixed(1), unit: "tokens/s", better: "higher" },
      chatPromptTokens: { value: prompt, unit: "tokens", better: "higher" },
    };
  } finally {
    await worker.close().catch(() => worker.kill());
  }
}
