// Per-record checks an approver sees before accepting a contribution: duplicates (within it, or
// of records already accepted in the Datanet, when those are given), and empty or very short
// answers. Pure, so it is tested without a browser.
import type { DatasetRecord } from "@modelfactory/sdk";

export type RecordFlag = "duplicate" | "duplicate-in-datanet" | "empty-answer" | "short-answer";
export const SHORT_ANSWER_CHARS = 12;

/** The answer a record teaches: an instruction's output, a chat's last assistant turn, a text. */
export function answerOf(r: DatasetRecord): string {
  if (r.kind === "instruction") return r.output;
  if (r.kind === "chat") return [...r.messages].reverse().find((m) => m.role === "assistant")?.content ?? "";
  return r.text;
}

/** Every text of a record joined, for search. */
export function recordSearchText(r: DatasetRecord): string {
  if (r.kind === "instruction") return `${r.instruction}\n${r.input}\n${r.output}`;
  if (r.kind === "chat") return r.messages.map((m) => m.content).join("\n");
  return r.text;
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();

/** The flags of each record, in order. */
export function checkRecords(records: readonly DatasetRecord[], accepted: readonly DatasetRecord[] = []): RecordFlag[][] {
  const known = new Set(accepted.map((r) => norm(recordSearchText(r))));
  const seen = new Map<string, number>();
  return records.map((r, i) => {
    const flags: RecordFlag[] = [];
    const key = norm(recordSearchText(r));
    if (seen.has(key)) flags.push("duplicate");
    else seen.set(key, i);
    if (known.has(key)) flags.push("duplicate-in-datanet");
    const answer = answerOf(r).trim();
    if (answer.length === 0) flags.push("empty-answer");
    else if (answer.length < SHORT_ANSWER_CHARS) flags.push("short-answer");
    return flags;
  });
}

export const FLAG_LABELS: Record<RecordFlag, string> = {
  duplicate: "duplicate of an earlier record here",
  "duplicate-in-datanet": "already in the Datanet",
  "empty-answer": "empty answer",
  "short-answer": "very short answer",
};
