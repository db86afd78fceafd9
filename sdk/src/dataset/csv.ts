// CSV input (RFC 4180: quoted fields, "" escapes, newlines inside quotes) with a header row
// and a mapping from columns to record fields. Without a mapping, columns named like the
// record fields (instruction/input/output, or text) are used.

import type { LocatedRecord } from "./located.ts";
import type { ProblemList } from "./problems.ts";
import { TEXT_HINTS, TEXT_MESSAGES } from "./record-shape.ts";
import { RECORD_SCHEMA, type CsvMapping, type DatasetRecord } from "./schema.ts";
import { checkText, isBlank, normalizeText } from "./text-checks.ts";

export type CsvOptions = {
  /** Which columns hold which record field; guessed from the header when absent. */
  mapping?: CsvMapping;
  /** Field separator; default ",". */
  delimiter?: string;
};

type CsvRow = { fields: string[]; line: number };

export function parseCsv(text: string, options: CsvOptions, problems: ProblemList): LocatedRecord[] {
  const delimiter = options.delimiter ?? ",";
  const rows = splitCsv(text, delimiter, problems);
  const header = rows.shift();
  if (!header) return [];
  const columns = header.fields.map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of columns) {
    if (seen.has(name)) {
      problems.add({
        code: "CSV_DUPLICATE_COLUMN",
        message: `Column "${name}" appears more than once in the header.`,
        hint: "Give every column a distinct name.",
        line: header.line,
      });
    }
    seen.add(name);
  }
  const mapping = options.mapping ?? guessMapping(columns);
  const wanted = mappingColumns(mapping);
  const missing = wanted.filter((w) => !columns.includes(w.column));
  if (missing.length > 0 || wanted.length === 0) {
    const have = columns.map((c) => `"${c}"`).join(", ");
    if (wanted.length === 0) {
      problems.add({
        code: "CSV_MISSING_COLUMN",
        message: "No column mapping was given and the header has neither instruction/output nor text columns.",
        hint: `Map your columns to instruction, input and output (or text). The header has: ${have}.`,
        line: header.line,
      });
    }
    for (const w of missing) {
      problems.add({
        code: "CSV_MISSING_COLUMN",
        message: `Column "${w.column}" (mapped to ${w.field}) is not in the header.`,
        hint: `Rename the column or change the mapping. The header has: ${have}.`,
        line: header.line,
      });
    }
    return [];
  }
  const index = new Map(columns.map((name, i) => [name, i]));
  const records: LocatedRecord[] = [];
  rows.forEach((row, i) => {
    const rowNumber = i + 1;
    if (row.fields.length === 1 && row.fields[0] === "") return;
    if (row.fields.length !== columns.length) {
      problems.add({
        code: "CSV_FIELD_COUNT",
        message: `The row has ${row.fields.length} fields but the header has ${columns.length}.`,
        hint: `Quote fields that contain "${delimiter}", quotes or newlines, and check for missing or extra separators.`,
        line: row.line,
        row: rowNumber,
      });
      return;
    }
    const get = (column: string) => row.fields[index.get(column)!]!;
    let failed = false;
    const field = (name: string, column: string | undefined, required: boolean): string => {
      if (column === undefined) return "";
      const value = normalizeText(get(column));
      const bad = checkText(value);
      if (bad) {
        failed = true;
        problems.add({ code: bad, message: TEXT_MESSAGES[bad], hint: TEXT_HINTS[bad], line: row.line, row: rowNumber, field: column });
      } else if (required && isBlank(value)) {
        failed = true;
        problems.add({
          code: "EMPTY_FIELD",
          message: column === name ? `Column "${column}" is empty.` : `Column "${column}" (${name}) is empty.`,
          hint: name === "output" ? "Write the answer the model should learn to give." : `Fill in the ${name}, or remove the row.`,
          line: row.line,
          row: rowNumber,
          field: column,
        });
      }
      return value;
    };
    let record: DatasetRecord;
    if (mapping.kind === "text") {
      record = { schema: RECORD_SCHEMA, kind: "text", text: field("text", mapping.text, true) };
    } else {
      record = {
        schema: RECORD_SCHEMA,
        kind: "instruction",
        instruction: field("instruction", mapping.instruction, true),
        input: field("input", mapping.input, false),
        output: field("output", mapping.output, true),
      };
    }
    if (!failed) records.push({ record, line: row.line, row: rowNumber });
  });
  return records;
}

function guessMapping(columns: string[]): CsvMapping {
  const has = (name: string) => columns.includes(name);
  if (has("instruction") && has("output")) {
    return { kind: "instruction", instruction: "instruction", output: "output", ...(has("input") ? { input: "input" } : {}) };
  }
  if (has("text")) return { kind: "text", text: "text" };
  return { kind: "instruction", instruction: "", output: "" };
}

function mappingColumns(mapping: CsvMapping): Array<{ field: string; column: string }> {
  const pairs: Array<[string, string | undefined]> =
    mapping.kind === "text"
      ? [["text", mapping.text]]
      : [
          ["instruction", mapping.instruction],
          ["input", mapping.input],
          ["output", mapping.output],
        ];
  return pairs.filter((p): p is [string, string] => p[1] !== undefined && p[1] !== "").map(([field, column]) => ({ field, column }));
}

/** Splits CSV text (with `\n` newlines) into rows of fields, each with its starting line. */
function splitCsv(text: string, delimiter: string, problems: ProblemList): CsvRow[] {
  const rows: CsvRow[] = [];
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  let fields: string[] = [];
  let line = 1;
  let rowLine = 1;
  let i = 0;
  for (;;) {
    let field: string;
    if (body[i] === '"') {
      // Quoted field: runs to the next quote not followed by another quote.
      const quoteLine = line;
      let value = "";
      let from = i + 1;
      for (;;) {
        const quote = body.indexOf('"', from);
        if (quote === -1) {
          problems.add({
            code: "CSV_UNTERMINATED_QUOTE",
            message: "A quoted field opened on this line is never closed.",
            hint: 'Close the quote; a quote inside a quoted field is written as two quotes ("").',
            line: quoteLine,
          });
          return rows;
        }
        value += body.slice(from, quote);
        if (body[quote + 1] === '"') {
          value += '"';
          from = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      line += countNewlines(value);
      // Anything between the closing quote and the separator is kept, as spreadsheets do.
      const end = nextBoundary(body, i, delimiter);
      field = value + body.slice(i, end);
      i = end;
    } else {
      const end = nextBoundary(body, i, delimiter);
      field = body.slice(i, end);
      i = end;
    }
    fields.push(field);
    if (i >= body.length) {
      rows.push({ fields, line: rowLine });
      return rows;
    }
    if (body[i] === "\n") {
      rows.push({ fields, line: rowLine });
      fields = [];
      line += 1;
      rowLine = line;
      i += 1;
    } else i += delimiter.length;
  }
}

/** Index of the next delimiter or newline at or after `from`, or the end of `body`. */
function nextBoundary(body: string, from: number, delimiter: string): number {
  const d = body.indexOf(delimiter, from);
  const n = body.indexOf("\n", from);
  const candidates = [d, n].filter((x) => x !== -1);
  return candidates.length ? Math.min(...candidates) : body.length;
}

function countNewlines(value: string): number {
  let count = 0;
  for (let at = value.indexOf("\n"); at !== -1; at = value.indexOf("\n", at + 1)) count += 1;
  return count;
}
