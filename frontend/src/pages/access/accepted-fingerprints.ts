// The fingerprints of a Datanet's accepted records, against which an approver's preview flags a
// pending contribution's duplicates. Bounded: at most MAX_ACCEPTED_CONTRIBUTIONS contributions
// (the newest) and MAX_ACCEPTED_BYTES of stored content are read, and what was left out is said
// in a sentence rather than silently checked against less. Only hashes are kept, never the text.
import type { DatasetRecord } from "@modelfactory/sdk";
import { recordFingerprint } from "./record-checks.ts";

export const MAX_ACCEPTED_CONTRIBUTIONS = 200;
export const MAX_ACCEPTED_BYTES = 64 * 1024 * 1024;

export type AcceptedFingerprints = {
  fingerprints: Set<string>;
  /** Accepted contributions whose records were fingerprinted. */
  contributions: number;
  records: number;
  /** Why some accepted contributions were not compared (a cap, or one that could not be read), or null. */
  limit: string | null;
};

export function emptyFingerprints(): AcceptedFingerprints {
  return { fingerprints: new Set(), contributions: 0, records: 0, limit: null };
}

/** Adds one accepted contribution's records. */
export function addAccepted(into: AcceptedFingerprints, records: readonly DatasetRecord[]): void {
  for (const r of records) into.fingerprints.add(recordFingerprint(r));
  into.contributions += 1;
  into.records += records.length;
}

/** The sentence the preview shows about what the duplicate check compared against. */
export function describeAccepted(a: AcceptedFingerprints): string {
  const base =
    a.contributions === 0
      ? "The Datanet has no accepted contributions to compare against"
      : `Compared against ${a.records} records of ${a.contributions} accepted contribution${a.contributions === 1 ? "" : "s"}`;
  return a.limit ? `${base}; ${a.limit}` : `${base}.`;
}

/** The reason the comparison stopped at the contribution cap, when the Datanet holds more. */
export function contributionCapNote(listed: number): string | null {
  return listed > MAX_ACCEPTED_CONTRIBUTIONS
    ? `only the newest ${MAX_ACCEPTED_CONTRIBUTIONS} accepted contributions are compared (the Datanet holds more).`
    : null;
}

/** The reason the comparison stopped at the byte cap, naming where. */
export function byteCapNote(read: number, skipped: number): string {
  return `stopped after ${(read / (1024 * 1024)).toFixed(1)} MiB of accepted content (the cap is ${MAX_ACCEPTED_BYTES / (1024 * 1024)} MiB); ${skipped} older accepted contribution${skipped === 1 ? " was" : "s were"} not compared.`;
}
