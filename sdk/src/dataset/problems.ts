// Everything validation can find wrong with a contribution, each with where it is and what to
// do about it. Codes are stable: the GUI, tests and the bad-file corpus key on them.

import { ModelFactoryError } from "../errors.ts";

export const DATASET_PROBLEM_CODES = [
  "FILE_EMPTY",
  "FILE_TOO_LARGE",
  "BINARY_CONTENT",
  "NOT_UTF8",
  "BOM",
  "NEWLINES_MIXED",
  "LINE_TOO_LONG",
  "RECORD_TOO_LARGE",
  "JSON_ARRAY_FILE",
  "JSON_SYNTAX",
  "JSON_TRUNCATED",
  "NOT_AN_OBJECT",
  "UNKNOWN_SHAPE",
  "UNKNOWN_FIELD",
  "MISSING_FIELD",
  "WRONG_TYPE",
  "EMPTY_FIELD",
  "UNKNOWN_ROLE",
  "CHAT_NO_ASSISTANT",
  "SYSTEM_NOT_FIRST",
  "SCHEMA_UNSUPPORTED",
  "KIND_NOT_ALLOWED",
  "INVALID_UNICODE",
  "CONTROL_CHARACTER",
  "DUPLICATE_RECORD",
  "NO_RECORDS",
  "CSV_MISSING_COLUMN",
  "CSV_DUPLICATE_COLUMN",
  "CSV_FIELD_COUNT",
  "CSV_UNTERMINATED_QUOTE",
  "NOT_CANONICAL",
] as const;
export type DatasetProblemCode = (typeof DATASET_PROBLEM_CODES)[number];

/** One thing wrong with a contribution. */
export type DatasetProblem = {
  code: DatasetProblemCode;
  /** What is wrong, without the location. */
  message: string;
  /** What the contributor should do about it. */
  hint: string;
  /** 1-based physical line of the input where the problem is (absent for whole-file problems). */
  line?: number;
  /** 1-based data row of a CSV file (the header is not a row). */
  row?: number;
  /** JSON path of the offending field, e.g. `messages[2].role`. */
  field?: string;
};

/** "line 3, field output: Field "output" is empty. Write the answer …" */
export function formatProblem(problem: DatasetProblem): string {
  const where = [
    problem.line !== undefined ? `line ${problem.line}` : undefined,
    problem.row !== undefined ? `row ${problem.row}` : undefined,
    problem.field !== undefined ? `field ${problem.field}` : undefined,
  ].filter((part) => part !== undefined);
  const prefix = where.length > 0 ? `${where.join(", ")}: ` : "";
  return `${prefix}${problem.message} ${problem.hint}`;
}

/** Collects problems up to a limit and counts the rest. */
export class ProblemList {
  readonly problems: DatasetProblem[] = [];
  total = 0;
  readonly #max: number;

  constructor(maxProblems: number) {
    this.#max = maxProblems;
  }

  add(problem: DatasetProblem): void {
    this.total += 1;
    if (this.problems.length < this.#max) this.problems.push(problem);
  }

  get truncated(): boolean {
    return this.total > this.problems.length;
  }
}

/** Thrown when a contribution has problems; `problems` lists them (up to the limit). */
export class DatasetInvalidError extends ModelFactoryError {
  override name = "DatasetInvalidError";
  readonly problems: DatasetProblem[];
  readonly problemCount: number;

  constructor(problems: DatasetProblem[], problemCount: number = problems.length) {
    const first = problems[0];
    super(problemCount === 1 ? "The dataset has 1 problem." : `The dataset has ${problemCount} problems.`, {
      code: "DATASET_INVALID",
      details: [...problems.slice(0, 20).map(formatProblem), ...(problemCount > 20 ? [`… and ${problemCount - 20} more.`] : [])].join("\n"),
      meta: { problemCount, firstCode: first?.code },
    });
    this.problems = problems;
    this.problemCount = problemCount;
  }
}
