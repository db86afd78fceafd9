// Per-record checks an approver sees before accepting a contribution: duplicates (within it, or
// of records already accepted in the Datanet), and empty or very short answers. Records already
// in the Datanet are compared by the SHA-256 of their normalised text (`recordFingerprint`), so
// the approver's browser keeps 32 bytes per accepted record, not its text. Pure, so it is tested
// without a browser.
import type { DatasetRecord } from "@modelfactory/sdk";
import { sha256, stringToBytes } from "viem";

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

/**
 * SHA-256 of a record's kind and fields, each normalised (case and spacing aside): what "the same
 * record" means here. Fields stay apart, so text moved from an instruction into its input is
 * another record.
 */
export function recordFingerprint(r: DatasetRecord): string {
  const fields =
    r.kind === "instruction"
      ? [r.instruction, r.input, r.output]
      : r.kind === "chat"
        ? r.messages.flatMap((m) => [m.role, m.content])
        : [r.text];
  return sha256(stringToBytes(JSON.stringify([r.kind, ...fields.map(norm)])));
}

/** The flags of each record, in order; `accepted` holds the fingerprints of the Datanet's accepted records. */
export function checkRecords(records: readonly DatasetRecord[], accepted: ReadonlySet<string> = new Set()): RecordFlag[][] {
  const seen = new Set<string>();
  return records.map((r) => {
    const flags: RecordFlag[] = [];
    const key = recordFingerprint(r);
    if (seen.has(key)) flags.push("duplicate");
    else seen.add(key);
    if (accepted.has(key)) flags.push("duplicate-in-datanet");
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
