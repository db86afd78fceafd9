// JSON Lines input: one record per line, in any of the supported shapes (instruction, chat,
// ShareGPT, text, or already canonical). Blank lines are skipped.

import { formatBytes, formatExcess, type DatasetLimits } from "./limits.ts";
import type { LocatedRecord } from "./located.ts";
import type { ProblemList } from "./problems.ts";
import { toCanonicalRecord } from "./record-shape.ts";
import { utf8Length } from "./text-checks.ts";

export function parseJsonl(text: string, limits: DatasetLimits, problems: ProblemList): LocatedRecord[] {
  if (text.trimStart().startsWith("[")) {
    problems.add({
      code: "JSON_ARRAY_FILE",
      message: "The file is a JSON array, not JSON Lines.",
      hint: "Write one JSON object per line instead of one array (for example with `jq -c '.[]'`).",
      line: 1,
    });
    return [];
  }
  const records: LocatedRecord[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    if (raw.trim().length === 0) continue;
    const size = utf8Length(raw);
    if (size > limits.maxLineBytes) {
      const [actual, limit] = formatExcess(size, limits.maxLineBytes);
      problems.add({
        code: "LINE_TOO_LONG",
        message: `The line is ${actual}, over the ${limit} limit for one line.`,
        hint: `Split the record; a record may be at most ${formatBytes(limits.maxRecordBytes)}.`,
        line,
      });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      const truncated = isTruncatedJson(raw);
      problems.add(
        truncated
          ? {
              code: "JSON_TRUNCATED",
              message: "The JSON object ends before it is complete.",
              hint: "The line was cut off (an interrupted export or download?); export the file again or remove the line.",
              line,
            }
          : {
              code: "JSON_SYNTAX",
              message: "The line is not valid JSON.",
              hint: "Check quotes, commas and brackets: each line must be one complete JSON object, with strings in double quotes.",
              line,
            },
      );
      continue;
    }
    const record = toCanonicalRecord(value, (p) => problems.add({ ...p, line }));
    if (record) records.push({ record, line });
  }
  return records;
}

/** True when `source` reads as a prefix of valid JSON: a string or bracket is left open. */
export function isTruncatedJson(source: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (inString) {
      if (c === "\\") i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth += 1;
    else if (c === "}" || c === "]") {
      depth -= 1;
      if (depth < 0) return false;
    }
  }
  return inString || depth > 0;
}
