// The single entry to validation: bytes in any supported format → canonical records, or every
// problem found. Browser-safe, synchronous, and the same code the trainer uses, so a file
// the GUI accepts is a file the trainer accepts.

import { InvalidInputError } from "../errors.ts";
import { serializeRecord } from "./canonical.ts";
import { parseCsv, type CsvOptions } from "./csv.ts";
import { decodeDatasetBytes } from "./decode.ts";
import { parseJsonl } from "./jsonl.ts";
import { formatExcess, resolveDatasetLimits, type DatasetLimits } from "./limits.ts";
import type { LocatedRecord } from "./located.ts";
import { ProblemList, type DatasetProblem } from "./problems.ts";
import { DATASET_FORMATS, type DatasetFormat, type DatasetRecord, type RecordKind } from "./schema.ts";
import { parseTextPassages } from "./text-passages.ts";
import { utf8Length } from "./text-checks.ts";

/** What to validate: the uploaded bytes and how to read them. */
export type DatasetInput = {
  /** The file as uploaded. */
  bytes: Uint8Array;
  /** Input format; guessed from `fileName`, then from the content, when absent. */
  format?: DatasetFormat;
  /** Original file name, used only to guess the format. */
  fileName?: string;
  /** CSV column mapping and delimiter. */
  csv?: CsvOptions;
};

export type ParseDatasetOptions = {
  /** Size limits; defaults in {@link DEFAULT_DATASET_LIMITS}. */
  limits?: Partial<DatasetLimits>;
  /** Record kinds the Datanet accepts; all kinds when absent. */
  kinds?: readonly RecordKind[];
};

export type ParseDatasetResult = {
  /** True when there is no problem; `records` then holds every record. */
  ok: boolean;
  format: DatasetFormat;
  /** The canonical records when `ok`; empty otherwise (nothing partially valid is kept). */
  records: DatasetRecord[];
  /** The problems, in input order, up to `limits.maxProblems`. */
  problems: DatasetProblem[];
  /** How many problems there are in all (more than `problems.length` when truncated). */
  problemCount: number;
};

/**
 * Parses and validates a contribution.
 * @example
 * const result = parseDataset({ bytes, fileName: "train.jsonl" })
 * if (!result.ok) showProblems(result.problems)
 */
export function parseDataset(input: DatasetInput, options: ParseDatasetOptions = {}): ParseDatasetResult {
  const limits = resolveDatasetLimits(options.limits);
  if (!(input.bytes instanceof Uint8Array)) {
    throw new InvalidInputError("Dataset bytes must be a Uint8Array.");
  }
  if (input.format !== undefined && !DATASET_FORMATS.includes(input.format)) {
    throw new InvalidInputError(`Unknown dataset format "${String(input.format)}".`, {
      details: `Use one of ${DATASET_FORMATS.join(", ")}.`,
    });
  }
  const problems = new ProblemList(limits.maxProblems);
  let format = input.format ?? formatFromName(input.fileName);
  const text = decodeDatasetBytes(input.bytes, limits, problems);
  format ??= text !== undefined && /^\s*[[{]/.test(text) ? "jsonl" : "text";
  if (text === undefined) return result(format, [], problems);

  const located =
    format === "jsonl"
      ? parseJsonl(text, limits, problems)
      : format === "csv"
        ? parseCsv(text, { ...(isTsv(input.fileName) ? { delimiter: "\t" } : {}), ...input.csv }, problems)
        : parseTextPassages(text, problems);

  checkRecords(located, limits, options.kinds, problems);
  if (located.length === 0 && problems.total === 0) {
    problems.add({ code: "NO_RECORDS", message: "The file holds no records.", hint: "Check that you chose the right file and format." });
  }
  return result(format, located, problems);
}

/** Record-level rules that hold for every format: size, allowed kind, no duplicates. */
function checkRecords(
  located: LocatedRecord[],
  limits: DatasetLimits,
  kinds: readonly RecordKind[] | undefined,
  problems: ProblemList,
): void {
  const firstSeen = new Map<string, number>();
  for (const { record, line, row } of located) {
    const where = row === undefined ? { line } : { line, row };
    const serialized = serializeRecord(record);
    const size = utf8Length(serialized);
    if (size > limits.maxRecordBytes) {
      const [actual, limit] = formatExcess(size, limits.maxRecordBytes);
      problems.add({
        code: "RECORD_TOO_LARGE",
        message: `The record is ${actual} in canonical form, over the ${limit} limit.`,
        hint:
          record.kind === "text"
            ? "Split the passage with blank lines into shorter paragraphs."
            : "Shorten the record or split it into several.",
        ...where,
      });
    }
    if (kinds && !kinds.includes(record.kind)) {
      problems.add({
        code: "KIND_NOT_ALLOWED",
        message: `This Datanet does not accept ${record.kind} records.`,
        hint: `Convert the record to ${kinds.join(" or ")} form.`,
        ...where,
      });
    }
    const first = firstSeen.get(serialized);
    if (first !== undefined) {
      problems.add({
        code: "DUPLICATE_RECORD",
        message: `The record duplicates the one on line ${first}.`,
        hint: "Remove the repeated record.",
        ...where,
      });
    } else firstSeen.set(serialized, line);
  }
}

function result(format: DatasetFormat, located: LocatedRecord[], problems: ProblemList): ParseDatasetResult {
  const ok = problems.total === 0;
  const sorted = [...problems.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return {
    ok,
    format,
    records: ok ? located.map((l) => l.record) : [],
    problems: sorted,
    problemCount: problems.total,
  };
}

function isTsv(fileName: string | undefined): boolean {
  return fileName?.toLowerCase().endsWith(".tsv") ?? false;
}

/** The format a file name implies, if any. */
export function formatFromName(fileName: string | undefined): DatasetFormat | undefined {
  const extension = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  switch (extension) {
    case "jsonl":
    case "ndjson":
    case "json":
      return "jsonl";
    case "csv":
    case "tsv":
      return "csv";
    case "txt":
    case "md":
    case "text":
      return "text";
    default:
      return undefined;
  }
}
