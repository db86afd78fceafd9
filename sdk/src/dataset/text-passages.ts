// Plain-text input: passages are paragraphs separated by one or more blank lines. Each
// passage becomes a text record; nothing else is reshaped, so the split is predictable.

import type { LocatedRecord } from "./located.ts";
import type { ProblemList } from "./problems.ts";
import { TEXT_HINTS, TEXT_MESSAGES } from "./record-shape.ts";
import { RECORD_SCHEMA } from "./schema.ts";
import { checkText, normalizeText } from "./text-checks.ts";

export function parseTextPassages(text: string, problems: ProblemList): LocatedRecord[] {
  const records: LocatedRecord[] = [];
  const lines = text.split("\n");
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    const passage = normalizeText(lines.slice(start, end).join("\n").trim());
    const line = start + 1;
    start = -1;
    const bad = checkText(passage);
    if (bad) {
      problems.add({ code: bad, message: TEXT_MESSAGES[bad], hint: TEXT_HINTS[bad], line });
      return;
    }
    records.push({ record: { schema: RECORD_SCHEMA, kind: "text", text: passage }, line });
  };
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim().length === 0) flush(i);
    else if (start < 0) start = i;
  }
  flush(lines.length);
  return records;
}
