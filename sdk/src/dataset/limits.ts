// Size limits applied while validating a contribution. Defaults are generous for a human
// upload and small enough that a browser can validate the whole file before paying gas.

import { InvalidInputError } from "../errors.ts";

export type DatasetLimits = {
  /** Largest contribution file, in bytes. Default 50 MiB. */
  maxContributionBytes: number;
  /** Largest canonical record (its UTF-8 JSON line without the newline). Default 32 KiB. */
  maxRecordBytes: number;
  /** Largest physical input line of a JSONL or CSV file. Default 128 KiB. */
  maxLineBytes: number;
  /** Most problems reported in detail; the rest are only counted. Default 1000. */
  maxProblems: number;
};

export const DEFAULT_DATASET_LIMITS: Readonly<DatasetLimits> = Object.freeze({
  maxContributionBytes: 50 * 1024 * 1024,
  maxRecordBytes: 32 * 1024,
  maxLineBytes: 128 * 1024,
  maxProblems: 1000,
});

/** Fills in defaults and checks that every limit is a positive integer. */
export function resolveDatasetLimits(limits: Partial<DatasetLimits> = {}): DatasetLimits {
  const resolved = { ...DEFAULT_DATASET_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new InvalidInputError(`Dataset limit ${name} must be a positive integer.`, {
        meta: { name, value },
      });
    }
  }
  return resolved;
}

/** "32 KiB", "50 MiB": sizes as people read them in error messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${trim(bytes / 1024)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${trim(bytes / (1024 * 1024))} MiB`;
  return `${trim(bytes / (1024 * 1024 * 1024))} GiB`;
}

function trim(value: number): string {
  return value.toFixed(1).replace(/\.0$/, "");
}

/**
 * A size and the limit it exceeds, formatted so they read differently: in bytes when the
 * rounded forms would be equal ("52428801 B, over the 52428800 B limit").
 */
export function formatExcess(size: number, limit: number): [string, string] {
  const a = formatBytes(size);
  const b = formatBytes(limit);
  return a === b ? [`${size} B`, `${limit} B`] : [a, b];
}
