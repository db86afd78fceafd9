// Reading contributions for training: fetch each one's bytes, check their sha256 against the
// content hash recorded on chain, and parse them as canonical records. One bad contribution
// is reported and skipped; it never stops the others.

import type { CID } from "multiformats/cid";
import { ModelFactoryError, InvalidInputError } from "../errors.ts";
import { readContent, type ContentStore } from "../content/store.ts";
import { ContentIntegrityError, ContentStoreError, ContentTooLargeError } from "../content/errors.ts";
import { isContentHash, serializeRecord, sha256Hex, type ContentHash } from "./canonical.ts";
import { resolveDatasetLimits, type DatasetLimits } from "./limits.ts";
import { DatasetInvalidError, ProblemList } from "./problems.ts";
import { toCanonicalRecord } from "./record-shape.ts";
import type { DatasetRecord } from "./schema.ts";
import { collectBytes, ENVELOPE_MAGIC } from "../crypto/envelope.ts";
import { EnvelopeError } from "../crypto/errors.ts";
import { openContribution } from "../crypto/sealed-contribution.ts";

/** A contribution as the chain records it. */
export type ContributionRef = {
  id: bigint | number | string;
  cid: CID | string;
  /**
   * sha256 of the stored bytes, 0x-prefixed bytes32 hex; for a sealed contribution (an
   * envelope, sdk/ENVELOPE.md) sha256 of the salt and the canonical bytes inside it.
   */
  contentHash: ContentHash | string;
  /** The data key of a sealed contribution, released by its Datanet's key service. */
  dataKey?: Uint8Array;
};

/** Thrown (as a result's `error`) when a contribution is sealed and no data key was given for it. */
export class SealedContributionError extends ModelFactoryError {
  override name = "SealedContributionError";
  constructor(id: ContributionRef["id"]) {
    super(`Contribution ${String(id)} is encrypted; its Datanet's key service must release its data key first.`, {
      code: "CONTRIBUTION_SEALED",
      meta: { id: String(id) },
    });
  }
}

/** Thrown (as a result's `error`) when a sealed contribution does not decrypt: edited, truncated or reordered ciphertext, or a wrong key. */
export class ContributionDecryptError extends ContentIntegrityError {
  override name = "ContributionDecryptError";
  constructor(id: ContributionRef["id"], cause: EnvelopeError) {
    super(`Contribution ${String(id)} does not decrypt: ${cause.shortMessage}`, {
      code: "CONTRIBUTION_DECRYPT_FAILED",
      cause,
      meta: { id: String(id), envelopeCode: cause.code },
    });
  }
}

export type ContributionReadResult =
  | { id: ContributionRef["id"]; ok: true; records: DatasetRecord[]; byteSize: number }
  | { id: ContributionRef["id"]; ok: false; error: ModelFactoryError };

export type ReadContributionsOptions = {
  /** Limits for each contribution; defaults as for uploads. */
  limits?: Partial<DatasetLimits>;
  /** Contributions fetched at once. Default 4. */
  concurrency?: number;
  signal?: AbortSignal;
};

/** Thrown (as a result's `error`) when fetched bytes do not hash to the on-chain content hash. */
export class ContentHashMismatchError extends ContentIntegrityError {
  override name = "ContentHashMismatchError";
  constructor(id: ContributionRef["id"], expected: string, actual: string) {
    super(`Contribution ${String(id)} does not match its on-chain content hash.`, {
      code: "CONTENT_HASH_MISMATCH",
      details: `Expected sha256 ${expected}, got ${actual}. The stored bytes differ from those registered; the contribution is skipped.`,
      meta: { id: String(id), expected, actual },
    });
  }
}

/**
 * Fetches, verifies and parses contributions; results are in input order.
 * @example
 * for (const r of await readContributions(store, contributions)) {
 *   if (r.ok) train(r.records); else log(describeError(r.error))
 * }
 */
export async function readContributions(
  store: ContentStore,
  contributions: readonly ContributionRef[],
  options: ReadContributionsOptions = {},
): Promise<ContributionReadResult[]> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const results: ContributionReadResult[] = new Array(contributions.length);
  let next = 0;
  const worker = async () => {
    while (next < contributions.length) {
      const index = next++;
      const ref = contributions[index]!;
      try {
        const { records, byteSize } = await readContribution(store, ref, options);
        results[index] = { id: ref.id, ok: true, records, byteSize };
      } catch (error) {
        if ((error as { name?: string }).name === "AbortError") throw error;
        const typed =
          error instanceof ModelFactoryError
            ? error
            : new ContentStoreError(`Reading contribution ${String(ref.id)} failed.`, { cause: error });
        results[index] = { id: ref.id, ok: false, error: typed };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, contributions.length) }, worker));
  return results;
}

/** Fetches, verifies and parses one contribution; throws a typed error on any failure. */
export async function readContribution(
  store: ContentStore,
  ref: ContributionRef,
  options: Omit<ReadContributionsOptions, "concurrency"> = {},
): Promise<{ records: DatasetRecord[]; byteSize: number }> {
  if (!isContentHash(ref.contentHash)) {
    throw new InvalidInputError(`Contribution ${String(ref.id)} has a malformed content hash.`, { meta: { contentHash: ref.contentHash } });
  }
  const limits = resolveDatasetLimits(options.limits);
  // An envelope adds its header, the salt and a 16-byte tag per chunk (sdk/ENVELOPE.md); its
  // plaintext is held to the contribution limit below, once decrypted.
  const bytes = await readContent(store, ref.cid, {
    maxBytes: 2 * limits.maxContributionBytes + ENVELOPE_OVERHEAD,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return decodeContribution(ref, bytes, limits);
}

/**
 * Verifies and parses a contribution's stored bytes (fetched by the caller, e.g. a browser):
 * plaintext is checked against sha256, an envelope is decrypted with `ref.dataKey` and checked
 * against the salted hash. Throws the same typed errors as {@link readContribution}.
 */
export async function decodeContribution(
  ref: Pick<ContributionRef, "id" | "cid" | "contentHash" | "dataKey">,
  bytes: Uint8Array,
  limits: DatasetLimits = resolveDatasetLimits(),
): Promise<{ records: DatasetRecord[]; byteSize: number }> {
  const sealed = isEnvelope(bytes);
  if (sealed && !ref.dataKey) throw new SealedContributionError(ref.id);
  if (!sealed && ref.dataKey) {
    throw new ContentIntegrityError(
      `Contribution ${String(ref.id)} is stored in the clear, but a data key was given for it: its Datanet expects envelopes.`,
      { code: "CONTRIBUTION_NOT_SEALED", meta: { id: String(ref.id) } },
    );
  }
  if (!sealed) {
    if (bytes.length > limits.maxContributionBytes) {
      throw new ContentTooLargeError(`Content ${String(ref.cid)} is larger than the ${limits.maxContributionBytes}-byte limit.`, {
        meta: { cid: String(ref.cid), limit: limits.maxContributionBytes },
      });
    }
    const actual = await sha256Hex(bytes);
    if (actual !== ref.contentHash.toLowerCase()) throw new ContentHashMismatchError(ref.id, ref.contentHash.toLowerCase(), actual);
    return { records: parseCanonicalRecords(bytes, limits), byteSize: bytes.length };
  }
  const opened = openContribution([bytes], { dataKey: ref.dataKey! });
  let canonical: Uint8Array;
  try {
    canonical = await collectBytes(opened.bytes);
    if (canonical.length > limits.maxContributionBytes) {
      throw new ContentTooLargeError(
        `Contribution ${String(ref.id)} decrypts to ${canonical.length} bytes, over the ${limits.maxContributionBytes}-byte limit.`,
        { meta: { id: String(ref.id) } },
      );
    }
  } catch (error) {
    if (error instanceof EnvelopeError) throw new ContributionDecryptError(ref.id, error);
    throw error;
  }
  const { contentHash } = await opened.done();
  if (contentHash !== ref.contentHash.toLowerCase()) throw new ContentHashMismatchError(ref.id, ref.contentHash.toLowerCase(), contentHash);
  return { records: parseCanonicalRecords(canonical, limits), byteSize: canonical.length };
}

const ENVELOPE_OVERHEAD = 64 * 1024 + 10 + 32 + 16;

/** Whether stored bytes are an envelope (they start with its magic). */
export function isEnvelope(bytes: Uint8Array): boolean {
  return bytes.length >= ENVELOPE_MAGIC.length && ENVELOPE_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Parses bytes that must already be in canonical form (as stored): every line a canonical
 * record, re-serializing to exactly itself. Throws DatasetInvalidError otherwise.
 */
export function parseCanonicalRecords(bytes: Uint8Array, limits: Partial<DatasetLimits> = {}): DatasetRecord[] {
  const resolved = resolveDatasetLimits(limits);
  const problems = new ProblemList(resolved.maxProblems);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new DatasetInvalidError([
      { code: "NOT_UTF8", message: "The stored contribution is not valid UTF-8.", hint: "Re-upload it through prepareContribution." },
    ]);
  }
  const records: DatasetRecord[] = [];
  if (text.length > 0 && !text.endsWith("\n")) {
    problems.add({
      code: "NOT_CANONICAL",
      message: "The stored contribution does not end with a newline.",
      hint: "Re-upload it through prepareContribution.",
    });
  }
  const lines = text.split("\n");
  lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.add({
        code: "JSON_SYNTAX",
        message: "The line is not valid JSON.",
        hint: "Re-upload it through prepareContribution.",
        line,
      });
      return;
    }
    const record = toCanonicalRecord(value, (p) => problems.add({ ...p, line }));
    if (!record) return;
    if (serializeRecord(record) !== raw) {
      problems.add({
        code: "NOT_CANONICAL",
        message: "The line is not in canonical form.",
        hint: "Re-upload it through prepareContribution.",
        line,
      });
      return;
    }
    records.push(record);
  });
  if (problems.total > 0) throw new DatasetInvalidError(problems.problems, problems.total);
  return records;
}
