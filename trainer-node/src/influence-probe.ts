// The evaluation report's probe of its own model's training influence (issue 15 item 4): a few
// held-out questions, each with its reference answer, are traced through the job's influence index
// (the same `influence` command chat asks), and the report says how often the held-out record's own
// contribution ranked first. Under the record split every contribution is trained on and most
// held-out questions paraphrase a trained answer, so its own contribution is the one that taught
// the answer; a contribution split holds out whole contributions, which the index does not hold,
// so no probe runs. Costs one backward pass per question (about 2 s on two CPU cores for
// SmolLM2-135M), so a handful of questions fits the job's time; the report carries ids and numbers
// only, never record text.
import type { DatasetRecord, TrainingInfluenceProbe } from "@modelfactory/sdk";
import { conversationOf } from "./conversation.ts";
import type { WorkerClient } from "./worker-client.ts";

/** Held-out questions probed per job. */
export const PROBE_QUESTIONS = 8;

export type ProbeCase = {
  contributionId: string;
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  answer: string;
};

/**
 * The probed questions: held-out records with a question and an answer whose contribution the
 * index holds, one per contribution in turn (in the order they first appear) until `max`.
 */
export function probeCases(
  heldOut: readonly { record: DatasetRecord; contributionId: string }[],
  indexed: ReadonlySet<string>,
  max = PROBE_QUESTIONS,
): ProbeCase[] {
  const queues = new Map<string, ProbeCase[]>();
  for (const { record, contributionId } of heldOut) {
    if (!indexed.has(contributionId)) continue;
    // A conversation ends with its last answer (conversationOf).
    const c = conversationOf(record);
    const last = c?.messages.at(-1);
    if (!c || !last || last.content.trim() === "") continue;
    const q = queues.get(contributionId) ?? [];
    q.push({ contributionId, messages: c.messages.slice(0, -1), answer: last.content });
    queues.set(contributionId, q);
  }
  const picked: ProbeCase[] = [];
  for (let round = 0; picked.length < max; round++) {
    const before = picked.length;
    for (const q of queues.values()) {
      if (picked.length >= max) break;
      if (round < q.length) picked.push(q[round]!);
    }
    if (picked.length === before) break;
  }
  return picked;
}

export const PROBE_METHOD = `Up to ${PROBE_QUESTIONS} held-out questions, one per contribution in turn, each with its reference answer, traced through this model's training-influence index as chat traces an answer; a hit is the held-out record's own contribution ranking first (every contribution is trained on, and most held-out questions paraphrase one of its trained answers).`;

/** Runs the probe in a worker that holds `adapter`; null when no case could be probed. */
export async function probeTrainingInfluence(input: {
  worker: WorkerClient;
  adapter: string;
  index: string;
  cases: readonly ProbeCase[];
  /** How many contributions the index holds: every one is ranked. */
  contributions: number;
}): Promise<TrainingInfluenceProbe | null> {
  if (input.cases.length === 0) return null;
  const cases: TrainingInfluenceProbe["cases"] = [];
  let seconds = 0;
  for (const c of input.cases) {
    const r = await input.worker.request("influence", {
      adapter: input.adapter,
      index: input.index,
      messages: c.messages,
      answer: c.answer,
      top: input.contributions,
    });
    seconds += r.seconds;
    const at = r.ranking.findIndex((x) => x.contribution === c.contributionId);
    cases.push({ contributionId: c.contributionId, rank: at < 0 ? null : at + 1, score: at < 0 ? null : round(r.ranking[at]!.score) });
  }
  const within = (k: number) => cases.filter((c) => c.rank !== null && c.rank <= k).length / cases.length;
  return {
    method: PROBE_METHOD,
    questions: cases.length,
    recallAt1: round(within(1)),
    recallAt3: round(within(3)),
    secondsPerAnswer: round(seconds / cases.length),
    cases,
  };
}

function round(x: number): number {
  return Number(x.toFixed(4));
}

/** A probe read back from the result cache, checked field by field; throws naming the first bad one. */
export function checkProbe(value: unknown): TrainingInfluenceProbe {
  const v = value as Partial<TrainingInfluenceProbe> | null;
  const fraction = (x: unknown) => typeof x === "number" && x >= 0 && x <= 1;
  const bad = (field: string) => new Error(`cached training-influence probe: field '${field}' is missing or malformed`);
  if (typeof v !== "object" || v === null) throw bad("(probe)");
  if (typeof v.method !== "string") throw bad("method");
  if (!Number.isInteger(v.questions) || v.questions! < 1) throw bad("questions");
  if (!fraction(v.recallAt1)) throw bad("recallAt1");
  if (!fraction(v.recallAt3)) throw bad("recallAt3");
  if (typeof v.secondsPerAnswer !== "number" || !(v.secondsPerAnswer >= 0)) throw bad("secondsPerAnswer");
  if (
    !Array.isArray(v.cases) ||
    v.cases.length !== v.questions ||
    !v.cases.every(
      (c) =>
        typeof c === "object" &&
        c !== null &&
        /^[1-9]\d*$/.test(String(c.contributionId)) &&
        (c.rank === null || (Number.isInteger(c.rank) && c.rank >= 1)) &&
        (c.score === null || typeof c.score === "number"),
    )
  )
    throw bad("cases");
  return {
    method: v.method,
    questions: v.questions!,
    recallAt1: v.recallAt1!,
    recallAt3: v.recallAt3!,
    secondsPerAnswer: v.secondsPerAnswer,
    cases: v.cases.map((c) => ({ contributionId: c.contributionId, rank: c.rank, score: c.score })),
  };
}
