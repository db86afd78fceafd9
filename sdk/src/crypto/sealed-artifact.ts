// Model artifacts derived from permissioned data, sealed (sdk/ENVELOPE.md "Sealed model
// artifacts"): a trained adapter's archive and an evaluation report's private samples. The
// envelope's plaintext is the artifact's bytes, unsalted: the on-chain adapter hash is SHA-256
// of the archive, so whoever holds a key verifies what they opened against the chain. Recipients
// are the job's Datanets' keys (their key services release to those the chain allows) and the
// builder's own key when the spec names one.
import { randomBytes } from "@noble/ciphers/utils.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, keccak256, stringToBytes, type Hex } from "viem";
import { canonicalJson } from "../protocol/canonical-json.ts";
import { EnvelopeError } from "./errors.ts";
import { collectBytes, decryptEnvelope, encryptEnvelope, type EncryptEnvelopeOptions, type EnvelopeKey } from "./envelope.ts";

export type SealedArtifact = {
  /** SHA-256 of the plaintext bytes (for an adapter, the on-chain `adapterHash`). */
  sha256: Hex;
  /** The envelope's bytes, streamed; store them and publish their CID. */
  envelope: AsyncGenerator<Uint8Array>;
};

/**
 * Seals an artifact's bytes for `recipients`.
 * @example
 * const { sha256, envelope } = sealArtifact(tar, { recipients: [datanetKey, builderKey] })
 */
export function sealArtifact(bytes: Uint8Array, options: EncryptEnvelopeOptions): SealedArtifact {
  return { sha256: bytesToHex(sha256(bytes)), envelope: encryptEnvelope([bytes], options) };
}

export type OpenArtifactOptions = {
  /** The expected SHA-256 of the plaintext (e.g. the chain's adapter hash); refused when it differs. */
  sha256?: Hex;
  /** Refuse plaintexts longer than this many bytes (default 4 GiB). */
  maxBytes?: number;
};

/**
 * Opens a sealed artifact with a recipient's secret key or a released data key, checking the
 * plaintext's SHA-256 when `options.sha256` is given. Throws EnvelopeError: ENVELOPE_AUTH_FAILED
 * and friends for edited ciphertext, ARTIFACT_HASH_MISMATCH when the bytes are not the ones the
 * chain names.
 */
export async function openArtifact(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  key: EnvelopeKey,
  options: OpenArtifactOptions = {},
): Promise<Uint8Array> {
  const max = options.maxBytes ?? 4 * 2 ** 30;
  let n = 0;
  async function* bounded(): AsyncGenerator<Uint8Array> {
    for await (const chunk of decryptEnvelope(source, key)) {
      n += chunk.length;
      if (n > max) throw new EnvelopeError(`The sealed artifact is larger than ${max} bytes.`, { code: "ARTIFACT_TOO_LARGE" });
      yield chunk;
    }
  }
  const bytes = await collectBytes(bounded());
  if (options.sha256 !== undefined) {
    const actual = bytesToHex(sha256(bytes));
    if (actual.toLowerCase() !== options.sha256.toLowerCase()) {
      throw new EnvelopeError(
        `The opened artifact's SHA-256 ${actual} does not match the expected ${options.sha256}: it is not the artifact the chain names.`,
        {
          code: "ARTIFACT_HASH_MISMATCH",
          meta: { expected: options.sha256, actual },
        },
      );
    }
  }
  return bytes;
}

export const PRIVATE_SAMPLES_SCHEMA = "modelfactory.private-samples/1";

/** One sample of an evaluation: a held-out prompt, its reference answer and both models' answers. */
export type EvaluationSample = { prompt: string; reference: string; base: string; tuned: string };

/**
 * The private part of an evaluation report over permissioned data (the plaintext of its envelope).
 * `sampleSalts` (one random 32-byte salt per sample) key the sample hashes the public report
 * commits to, so those hashes cannot be checked against a guessed record; absent in documents
 * written before the commitment existed.
 */
export type PrivateSamplesDocument = {
  schema: typeof PRIVATE_SAMPLES_SCHEMA;
  jobId: string;
  samples: EvaluationSample[];
  sampleSalts?: Hex[];
};

const MAX_SAMPLES = 1000;
const MAX_SAMPLE_FIELD = 64 * 1024;

/** The document's exact bytes (canonical JSON, UTF-8). */
export function encodePrivateSamples(doc: PrivateSamplesDocument): Uint8Array {
  return new TextEncoder().encode(canonicalJson(parsePrivateSamplesValue(doc, doc.jobId)));
}

function parsePrivateSamplesValue(raw: unknown, jobId: string): PrivateSamplesDocument {
  const bad = (field: string, rule: string): never => {
    throw new EnvelopeError(`Invalid private samples: "${field}" ${rule}.`, { code: "PRIVATE_SAMPLES_INVALID", meta: { field } });
  };
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== "object" || Array.isArray(o)) bad("document", "must be a JSON object");
  if (o.schema !== PRIVATE_SAMPLES_SCHEMA) bad("schema", `must be "${PRIVATE_SAMPLES_SCHEMA}"`);
  if (o.jobId !== jobId) bad("jobId", `must be "${jobId}" (the job whose report names it), not ${JSON.stringify(o.jobId)}`);
  if (!Array.isArray(o.samples) || o.samples.length > MAX_SAMPLES) bad("samples", `must be a list of at most ${MAX_SAMPLES} samples`);
  const samples = (o.samples as unknown[]).map((s, i) => {
    const r = s as Record<string, unknown>;
    if (!r || typeof r !== "object" || Array.isArray(r)) bad(`samples[${i}]`, "must be an object");
    for (const k of ["prompt", "reference", "base", "tuned"] as const) {
      if (typeof r[k] !== "string" || (r[k] as string).length > MAX_SAMPLE_FIELD)
        bad(`samples[${i}].${k}`, `must be a string of at most ${MAX_SAMPLE_FIELD} characters`);
    }
    return { prompt: r.prompt as string, reference: r.reference as string, base: r.base as string, tuned: r.tuned as string };
  });
  if (o.sampleSalts === undefined) return { schema: PRIVATE_SAMPLES_SCHEMA, jobId, samples };
  if (!Array.isArray(o.sampleSalts) || o.sampleSalts.length !== samples.length)
    bad("sampleSalts", `must list one salt per sample (${samples.length})`);
  (o.sampleSalts as unknown[]).forEach((salt, i) => {
    if (typeof salt !== "string" || !/^0x[0-9a-f]{64}$/.test(salt)) bad(`sampleSalts[${i}]`, "must be 32 bytes of lower-case hex");
  });
  return { schema: PRIVATE_SAMPLES_SCHEMA, jobId, samples, sampleSalts: o.sampleSalts as Hex[] };
}

/** A fresh salt per sample, for a document whose public report will commit to its samples. */
export function newSampleSalts(count: number): Hex[] {
  return Array.from({ length: count }, () => bytesToHex(randomBytes(32)));
}

/** Reads a private samples document from its opened bytes, checking it is the one of job `jobId`. */
export function parsePrivateSamples(bytes: Uint8Array, jobId: string): PrivateSamplesDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new EnvelopeError("The private samples are not UTF-8 JSON.", { code: "PRIVATE_SAMPLES_INVALID", cause });
  }
  return parsePrivateSamplesValue(raw, jobId);
}

/**
 * How a public report commits to its private samples, as a receipt commits to its private text:
 * `sha256` of the private document's exact bytes (what the envelope holds) and each sample's
 * salted `sampleHash`. The report's CID is on chain (`metricsURI`), so whoever opens the samples
 * can prove to anyone holding the report that these are the samples the trainer published — all
 * of them, or one sample (with its salt) without showing the others. The salts stay in the
 * private part: a tuned answer often repeats its reference, so an unsalted hash would let an
 * outsider confirm a guessed record.
 */
export type PrivateSamplesCommitment = { sha256: Hex; sampleHashes: Hex[] };

/** keccak256 of the canonical JSON of a sample and its salt ({base, prompt, reference, salt, tuned}). */
export function sampleHash(sample: EvaluationSample, salt: Hex): Hex {
  return keccak256(
    stringToBytes(canonicalJson({ prompt: sample.prompt, reference: sample.reference, base: sample.base, tuned: sample.tuned, salt })),
  );
}

function hashesOf(document: PrivateSamplesDocument): Hex[] {
  const salts = document.sampleSalts;
  if (!salts)
    throw new EnvelopeError(`The private samples of job ${document.jobId} carry no sampleSalts, so nothing commits to them.`, {
      code: "PRIVATE_SAMPLES_INVALID",
      meta: { field: "sampleSalts" },
    });
  return document.samples.map((s, i) => sampleHash(s, salts[i]!));
}

/** The commitment of a document's exact bytes (as encodePrivateSamples wrote them, with sampleSalts). */
export function privateSamplesCommitment(bytes: Uint8Array, jobId: string): PrivateSamplesCommitment {
  return { sha256: bytesToHex(sha256(bytes)), sampleHashes: hashesOf(parsePrivateSamples(bytes, jobId)) };
}

/**
 * Reads opened private samples and checks them against the public report's commitment. Throws
 * EnvelopeError PRIVATE_SAMPLES_MISMATCH naming what differs; `verified` is false only for a
 * report written before reports carried the commitment (nothing to check against).
 */
export function openPrivateSamples(
  bytes: Uint8Array,
  jobId: string,
  commitment: Partial<PrivateSamplesCommitment>,
): { document: PrivateSamplesDocument; verified: boolean } {
  const document = parsePrivateSamples(bytes, jobId);
  if (commitment.sha256 === undefined && commitment.sampleHashes === undefined) return { document, verified: false };
  const mismatch = (what: string): never => {
    throw new EnvelopeError(
      `The opened samples of job ${jobId} do not match the public report: ${what}. They are not the samples its trainer published.`,
      { code: "PRIVATE_SAMPLES_MISMATCH", meta: { jobId } },
    );
  };
  const actual = bytesToHex(sha256(bytes));
  if (commitment.sha256 !== undefined && actual.toLowerCase() !== commitment.sha256.toLowerCase())
    mismatch(`their SHA-256 is ${actual}, the report names ${commitment.sha256}`);
  if (commitment.sampleHashes !== undefined) {
    const hashes = hashesOf(document);
    if (hashes.length !== commitment.sampleHashes.length)
      mismatch(`they hold ${hashes.length} samples, the report names ${commitment.sampleHashes.length}`);
    const differ = hashes.flatMap((h, i) => (h.toLowerCase() === commitment.sampleHashes![i]!.toLowerCase() ? [] : [i]));
    if (differ.length)
      mismatch(
        `sample${differ.length > 1 ? "s" : ""} ${differ.join(", ")} differ${differ.length > 1 ? "" : "s"} from ${differ.length > 1 ? "their" : "its"} hash`,
      );
  }
  return { document, verified: true };
}
