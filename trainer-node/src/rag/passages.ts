// Splits a contribution's canonical records into retrieval passages that point back into one
// well-defined string, the contribution's canonical text, so a citation's offsets can be
// checked by anyone who fetches the contribution.
//
// Canonical text (version 1):
//   - the text of a record is
//       text:        `text`
//       instruction: `instruction`, `input`, `output`, the non-empty ones joined by "\n"
//       chat:        every message's `content` in order (roles omitted), joined by "\n"
//   - the canonical text of a contribution is its records' texts, in file order, joined by
//     "\n\n" (RECORD_SEPARATOR).
// Offsets are UTF-16 code-unit indices into that string (JavaScript string indices), end
// exclusive: `canonicalText(records).slice(p.start, p.end) === p.text` always holds.
// A passage never crosses a record; a long record is cut into windows of at most
// `maxChars`, overlapping by about `overlapChars`, cut at whitespace where possible.
import type { DatasetRecord } from "@modelfactory/sdk";
import { ContributionTooLargeError, RagInputError } from "./errors.ts";

/** A retrieval passage: `text` is `canonicalText.slice(start, end)`. */
export type Passage = { text: string; start: number; end: number; recordIndex: number };

export type PassageOptions = {
  /** Longest passage, in UTF-16 units. Default 800. */
  maxChars?: number;
  /** Overlap between consecutive windows of one record. Default 160; must be < maxChars / 2. */
  overlapChars?: number;
  /** Most records per contribution. Default 200 000. */
  maxRecords?: number;
  /** Longest canonical text, in UTF-16 units. Default 64 Mi. */
  maxTextChars?: number;
  /** Most passages per contribution. Default 100 000. */
  maxPassages?: number;
};

export type SplitResult = { text: string; passages: Passage[] };

export const RECORD_SEPARATOR = "\n\n";
const FIELD_SEPARATOR = "\n";

const DEFAULTS = {
  maxChars: 800,
  overlapChars: 160,
  maxRecords: 200_000,
  maxTextChars: 64 * 1024 * 1024,
  maxPassages: 100_000,
} as const;

/** The text of one record, as defined above. Throws RagInputError on a malformed record. */
export function recordText(record: DatasetRecord, index = 0): string {
  const r = record as Record<string, unknown>;
  const str = (v: unknown, field: string): string => {
    if (typeof v !== "string") throw new RagInputError(`Record ${index} has no string "${field}".`, { meta: { index, field } });
    return v;
  };
  switch (r.kind) {
    case "text":
      return str(r.text, "text");
    case "instruction":
      return [str(r.instruction, "instruction"), str(r.input, "input"), str(r.output, "output")]
        .filter((s) => s.length > 0)
        .join(FIELD_SEPARATOR);
    case "chat": {
      if (!Array.isArray(r.messages)) throw new RagInputError(`Record ${index} has no "messages" list.`, { meta: { index } });
      return r.messages
        .map((m: unknown, i) => str((m as { content?: unknown } | null)?.content, `messages[${i}].content`))
        .join(FIELD_SEPARATOR);
    }
    default:
      throw new RagInputError(`Record ${index} has unknown kind ${JSON.stringify(r.kind)}.`, { meta: { index } });
  }
}

/** The canonical text of a contribution (its records' texts joined by RECORD_SEPARATOR). */
export function canonicalText(records: readonly DatasetRecord[]): string {
  return records.map((r, i) => recordText(r, i)).join(RECORD_SEPARATOR);
}

/**
 * The canonical text of `records` and its passages.
 * @example
 * const { text, passages } = splitPassages(records)
 * text.slice(passages[0].start, passages[0].end) === passages[0].text // true
 */
export function splitPassages(records: readonly DatasetRecord[], options: PassageOptions = {}): SplitResult {
  const o = { ...DEFAULTS, ...options };
  if (!(o.maxChars >= 16) || !(o.overlapChars >= 0) || o.overlapChars * 2 >= o.maxChars) {
    throw new RagInputError("Passage size must be at least 16 and the overlap under half of it.", { meta: { ...o } });
  }
  if (records.length > o.maxRecords) {
    throw new ContributionTooLargeError(`Contribution has ${records.length} records; the index takes at most ${o.maxRecords}.`, {
      meta: { records: records.length, limit: o.maxRecords },
    });
  }
  const parts: string[] = [];
  const passages: Passage[] = [];
  let offset = 0;
  for (let i = 0; i < records.length; i++) {
    const t = recordText(records[i]!, i);
    if (i > 0) offset += RECORD_SEPARATOR.length;
    if (offset + t.length > o.maxTextChars) {
      throw new ContributionTooLargeError(`Contribution text exceeds the ${o.maxTextChars}-character index limit.`, {
        meta: { limit: o.maxTextChars, record: i },
      });
    }
    for (const [s, e] of windows(t, o.maxChars, o.overlapChars)) {
      if (passages.length >= o.maxPassages) {
        throw new ContributionTooLargeError(`Contribution yields more than ${o.maxPassages} passages.`, {
          meta: { limit: o.maxPassages, record: i },
        });
      }
      passages.push({ text: t.slice(s, e), start: offset + s, end: offset + e, recordIndex: i });
    }
    parts.push(t);
    offset += t.length;
  }
  return { text: parts.join(RECORD_SEPARATOR), passages };
}

/** [start, end) windows over `t`, trimmed of surrounding whitespace; none for blank text. */
function windows(t: string, max: number, overlap: number): [number, number][] {
  const out: [number, number][] = [];
  let start = skipSpace(t, 0);
  while (start < t.length) {
    let end = Math.min(t.length, start + max);
    if (end < t.length) {
      // Prefer to end at whitespace in the last third of the window, never inside a surrogate pair.
      const floor = start + Math.floor((max * 2) / 3);
      let cut = end;
      while (cut > floor && !isSpace(t.charCodeAt(cut))) cut--;
      end = cut > floor ? cut : avoidSurrogateSplit(t, end);
    }
    let trimmed = end;
    while (trimmed > start && isSpace(t.charCodeAt(trimmed - 1))) trimmed--;
    if (trimmed > start) out.push([start, trimmed]);
    if (end >= t.length) break;
    // Next window starts `overlap` back, moved forward to the start of a word.
    let next = Math.max(start + 1, end - overlap);
    if (next < end && next > 0 && !isSpace(t.charCodeAt(next - 1))) {
      let w = next;
      while (w < end && !isSpace(t.charCodeAt(w))) w++;
      next = w < end ? w : next;
    }
    start = skipSpace(t, avoidSurrogateSplit(t, next));
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200b);
}

function skipSpace(t: string, i: number): number {
  while (i < t.length && isSpace(t.charCodeAt(i))) i++;
  return i;
}

/** Moves `i` back off the low half of a surrogate pair. */
function avoidSurrogateSplit(t: string, i: number): number {
  const c = t.charCodeAt(i);
  return i > 0 && c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
}
