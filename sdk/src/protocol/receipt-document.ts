// About 410 lines: the document, its building, its leaf and its parsing are one format, kept
// together (the leaf's JSON form is receipt-leaf-json.ts). An answer's receipt in two parts. The public document (ids, weights, ranks, span offsets,
// text-free reasons, hashes of the question, the answer and each cited passage, and the training
// contributions that shaped the answer through fine-tuning) goes into
// the batch document at the batch's `receiptsURI`, where any auditor reads it; the on-chain leaf
// commits to it. The private part (question, answer and passage texts) goes only to the asker,
// who proves their texts match the public hashes. So a receipt of a permissioned Datanet's
// answer publishes no text. The leaf is a pure function of the public document: the trainer node
// that builds it and the browser that verifies it run this same code. Browser-safe.
import { bytesToHex, keccak256, stringToBytes, type Hex } from "viem";
import { ModelFactoryError, type ModelFactoryErrorOptions } from "../errors.ts";
import { canonicalJson, canonicalJsonHash } from "./canonical-json.ts";
import type { ContributionMeta } from "./contribution-meta.ts";
import type { CitationEffect } from "./citation-effect.ts";
import { hashAnswer, MAX_RECEIPT_WEIGHT, type Receipt } from "./receipt.ts";
import type { TrainingInfluence } from "./training-influence.ts";

/** The schema every new receipt is written in: retrieval citations and training influences. */
export const RECEIPT_SCHEMA = "modelfactory.receipt/3";
/**
 * The schema before training influences, still read (never written): batches of /2 receipts are on
 * chains already running, and their leaves are what a /3 receipt without influences gives, so the
 * browser verifies them with the same code.
 */
export const RECEIPT_SCHEMA_V2 = "modelfactory.receipt/2";
export const RECEIPT_PRIVATE_SCHEMA = "modelfactory.receipt-private/1";
export const RECEIPT_BATCH_SCHEMA = "modelfactory.receipts/1";
const MAX_CONTRIBUTION_ID = (1n << 48n) - 1n;

/** A character range [start, end) in some text. */
export type Span = { start: number; end: number };

export type { ContributionMeta } from "./contribution-meta.ts";

/** A citation as the receipt's public document holds it: no text, the passage by its hash. */
export type PublicCitation = ContributionMeta & {
  rank: number;
  score: number;
  /** Weight in basis points, as posted on chain. */
  weight: number;
  /** keccak256 of the passage's UTF-8 text (see {@link hashText}). */
  passageHash: Hex;
  /** The passage's offsets within the contribution's canonical text. */
  passage: { start: number; end: number };
  /** Matched spans inside the passage. */
  sourceSpans: Span[];
  /** Matched spans inside the answer. */
  answerSpans: Span[];
  /** Why it was retrieved and weighted, quoting no text. */
  reason: string;
};

/** Why an answer cites a contribution, as the asker sees it: with the passage text. */
export type Citation = ContributionMeta & {
  rank: number;
  score: number;
  /** Weight in basis points, as posted on chain. */
  weight: number;
  /** The retrieved passage and its offsets within the contribution's canonical text. */
  passage: { text: string; start: number; end: number };
  /** Matched spans inside `passage.text`. */
  sourceSpans: Span[];
  /** Matched spans inside the answer. */
  answerSpans: Span[];
  /** Why it was retrieved and weighted; may quote the question, answer or passage. */
  reason: string;
  /** The same without quoted text: what the public receipt says. */
  publicReason: string;
  /**
   * The passage's measured effect on the answer, where the node measured it. Not a field of the
   * public document (its reason states the effect in words); `weight` is derived from it.
   */
  effect?: CitationEffect;
};

/** The public receipt document for one answer (what the on-chain leaf commits to). */
export type ReceiptDocument = {
  /** {@link RECEIPT_SCHEMA} for every receipt built now; {@link RECEIPT_SCHEMA_V2} for older ones read back. */
  schema: typeof RECEIPT_SCHEMA | typeof RECEIPT_SCHEMA_V2;
  receiptId: Hex;
  modelId: string;
  /** keccak256 of the question's UTF-8 text. */
  questionHash: Hex;
  /** keccak256 of the answer's UTF-8 text. */
  answerHash: Hex;
  /** Contributions cited through retrieval (their passages were in the prompt). */
  citations: PublicCitation[];
  /**
   * Training contributions that shaped the answer through fine-tuning, best first, weighted from
   * a 10,000 bp budget of their own. Always present in receipt/3 (possibly empty), absent in /2.
   */
  trainingInfluences?: TrainingInfluence[];
  createdAt: number;
};

/** The texts behind a receipt's hashes, for the asker only. */
export type ReceiptPrivatePart = {
  schema: typeof RECEIPT_PRIVATE_SCHEMA;
  receiptId: Hex;
  question: string;
  answer: string;
  /** Each citation's passage text, in the order of the document's citations. */
  passages: string[];
};

/** The document stored at a batch's `receiptsURI`: every receipt of the batch, in leaf order. */
export type ReceiptBatchDocument = {
  schema: typeof RECEIPT_BATCH_SCHEMA;
  modelId: string;
  root: Hex;
  receipts: ReceiptDocument[];
};

/** Thrown when a receipt document cannot be committed to or read (bad weights, ids, values, shape). */
export class InvalidReceiptError extends ModelFactoryError {
  override name = "InvalidReceiptError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "RECEIPT_INVALID", ...options });
  }
}

export type BuildReceiptInput = {
  modelId: bigint | string;
  question: string;
  /** The exact answer text returned to the caller; only its hash is kept. */
  answer: string;
  citations: readonly Citation[];
  /** Training contributions that shaped the answer (no text); absent = none. */
  trainingInfluences?: readonly TrainingInfluence[];
  /** Unix milliseconds. Default now. */
  createdAt?: number;
  /** 32 random bytes by default; fixed only in tests. */
  nonce?: Hex;
};

export type BuiltReceipt = { document: ReceiptDocument; privatePart: ReceiptPrivatePart; leaf: Receipt };

/** keccak256 of a text's UTF-8 bytes: how the public receipt names a question, answer or passage. */
export function hashText(text: string): Hex {
  return keccak256(stringToBytes(text));
}

/** The public form of a citation: its passage by hash, its reason without quoted text (which states the measured effect). */
export function publicCitation(c: Citation): PublicCitation {
  const { passage, sourceSpans, answerSpans, publicReason, reason: _quoted, effect: _inReason, ...meta } = c;
  return {
    ...meta,
    passageHash: hashText(passage.text),
    passage: { start: passage.start, end: passage.end },
    sourceSpans: sourceSpans.map((s) => ({ start: s.start, end: s.end })),
    answerSpans: answerSpans.map((s) => ({ start: s.start, end: s.end })),
    reason: publicReason,
  };
}

/** The public form of a training influence: exactly its fields, so nothing else a caller attached is published. */
export function publicTrainingInfluence(t: TrainingInfluence): TrainingInfluence {
  const { contributionId, datanetId, contributor, timestamp, transactionHash, contentId, metadataURI, rank, score, weight, reason } = t;
  return { contributionId, datanetId, contributor, timestamp, transactionHash, contentId, metadataURI, rank, score, weight, reason };
}

/**
 * Builds a receipt: the public document, the asker's private part and the leaf. `receiptId` is
 * keccak256 of the canonical JSON of {answerHash, createdAt, modelId, nonce, questionHash}:
 * unique per answer, unguessable, and tied to the content.
 * @example
 * const { document, privatePart, leaf } = buildReceipt({ modelId: 1n, question, answer, citations })
 */
export function buildReceipt(input: BuildReceiptInput): BuiltReceipt {
  const modelId = decimal(input.modelId, "modelId");
  const answerHash = hashAnswer(input.answer);
  const questionHash = hashText(input.question);
  const createdAt = input.createdAt ?? Date.now();
  const nonce = input.nonce ?? bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  const receiptId = keccak256(stringToBytes(canonicalJson({ answerHash, createdAt, modelId, nonce, questionHash })));
  const document: ReceiptDocument = {
    schema: RECEIPT_SCHEMA,
    receiptId,
    modelId,
    questionHash,
    answerHash,
    citations: input.citations.map(publicCitation),
    trainingInfluences: (input.trainingInfluences ?? []).map(publicTrainingInfluence),
    createdAt,
  };
  document.trainingInfluences!.forEach((t, i) => trainingInfluence(t, `trainingInfluences[${i}]`));
  const privatePart: ReceiptPrivatePart = {
    schema: RECEIPT_PRIVATE_SCHEMA,
    receiptId,
    question: input.question,
    answer: input.answer,
    passages: input.citations.map((c) => c.passage.text),
  };
  return { document, privatePart, leaf: receiptLeafFromDocument(document) };
}

/**
 * What of a private part (or of the texts on screen) does not match the public document's
 * hashes: empty when the asker's texts are exactly what the receipt committed to.
 */
export function privatePartMismatches(
  document: ReceiptDocument,
  part: Pick<ReceiptPrivatePart, "question" | "answer" | "passages"> & { receiptId?: Hex },
): string[] {
  const out: string[] = [];
  if (part.receiptId !== undefined && part.receiptId.toLowerCase() !== document.receiptId.toLowerCase()) out.push("receiptId");
  if (hashText(part.question).toLowerCase() !== document.questionHash.toLowerCase()) out.push("question");
  if (hashAnswer(part.answer).toLowerCase() !== document.answerHash.toLowerCase()) out.push("answer");
  if (part.passages.length !== document.citations.length)
    out.push(`passages (${part.passages.length} given, ${document.citations.length} cited)`);
  else
    part.passages.forEach(
      (p, i) =>
        hashText(p).toLowerCase() !== document.citations[i]!.passageHash.toLowerCase() &&
        out.push(`passage of citation ${document.citations[i]!.rank}`),
    );
  return out;
}

/** keccak256 of the canonical JSON bytes of the document: the leaf's `detailsHash`. */
export function receiptDetailsHash(document: ReceiptDocument): Hex {
  return canonicalJsonHash(document);
}

/**
 * The on-chain leaf a document commits to. Each list is summed per contribution (several
 * passages of one contribution, or one contribution listed twice) into one entry, in order of
 * first appearance; each list's total weight ≤ 10000 on its own. A contribution may be in both
 * lists. Throws InvalidReceiptError when the document cannot be posted.
 */
export function receiptLeafFromDocument(document: ReceiptDocument): Receipt {
  if (document.schema !== RECEIPT_SCHEMA && document.schema !== RECEIPT_SCHEMA_V2)
    throw new InvalidReceiptError(`Unknown receipt schema ${JSON.stringify(document.schema)}.`);
  if (!BYTES32.test(document.receiptId)) throw new InvalidReceiptError("receiptId must be 32 bytes of hex.");
  if (document.schema === RECEIPT_SCHEMA && !Array.isArray(document.trainingInfluences)) {
    throw new InvalidReceiptError(`A ${RECEIPT_SCHEMA} document needs trainingInfluences (an empty list when there are none).`, {
      meta: { field: "trainingInfluences" },
    });
  }
  if (document.schema === RECEIPT_SCHEMA_V2 && document.trainingInfluences !== undefined) {
    throw new InvalidReceiptError(`A ${RECEIPT_SCHEMA_V2} document has no trainingInfluences; write it as ${RECEIPT_SCHEMA}.`, {
      meta: { field: "trainingInfluences" },
    });
  }
  const retrieval = summed(document.citations, "citation");
  const training = summed(document.trainingInfluences ?? [], "training influence");
  return {
    receiptId: document.receiptId,
    modelId: BigInt(decimal(document.modelId, "modelId")),
    answerHash: document.answerHash,
    contributionIds: [...retrieval.keys()],
    weights: [...retrieval.values()],
    trainingContributionIds: [...training.keys()],
    trainingWeights: [...training.values()],
    detailsHash: receiptDetailsHash(document),
  };
}

/** One list's weights summed per contribution, each weight and the total within 0..10,000. */
function summed(list: readonly { contributionId: string; weight: number }[], what: string): Map<bigint, number> {
  const weights = new Map<bigint, number>();
  let total = 0;
  for (const c of list) {
    const id = BigInt(decimal(c.contributionId, "contributionId"));
    if (id === 0n || id > MAX_CONTRIBUTION_ID) {
      throw new InvalidReceiptError(`Contribution id ${id} does not fit the 48-bit citation format.`, {
        meta: { contributionId: String(id) },
      });
    }
    if (!Number.isInteger(c.weight) || c.weight < 0 || c.weight > MAX_RECEIPT_WEIGHT) {
      throw new InvalidReceiptError(`${capitalized(what)} weight ${c.weight} is not between 0 and ${MAX_RECEIPT_WEIGHT}.`, {
        meta: { weight: c.weight },
      });
    }
    weights.set(id, (weights.get(id) ?? 0) + c.weight);
    total += c.weight;
  }
  if (total > MAX_RECEIPT_WEIGHT) {
    throw new InvalidReceiptError(`${capitalized(what)} weights sum to ${total}, above ${MAX_RECEIPT_WEIGHT}.`, { meta: { total } });
  }
  return weights;
}

function capitalized(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const HEX = /^0x[0-9a-fA-F]*$/;

/**
 * Checks that an untrusted value (a document fetched from a node or the content store) has the
 * shape of a receipt document, and returns it typed. The error names the first bad field.
 * Reads receipt/3 and the older receipt/2 (no training influences), so receipts already posted
 * keep verifying.
 */
export function parseReceiptDocument(raw: unknown, at = "receipt"): ReceiptDocument {
  const o = object(raw, at);
  if (o.schema !== RECEIPT_SCHEMA && o.schema !== RECEIPT_SCHEMA_V2)
    bad(`${at}.schema`, `must be "${RECEIPT_SCHEMA}" (or "${RECEIPT_SCHEMA_V2}" for a receipt posted before training influences)`);
  hex(o.receiptId, `${at}.receiptId`, true);
  if ("question" in o || "answer" in o)
    bad(`${at}.${"question" in o ? "question" : "answer"}`, "must not be in a public receipt (texts belong to the asker's private part)");
  hex(o.questionHash, `${at}.questionHash`, true);
  hex(o.answerHash, `${at}.answerHash`, true);
  decimal(o.modelId as string, `${at}.modelId`);
  if (typeof o.createdAt !== "number" || !Number.isSafeInteger(o.createdAt)) bad(`${at}.createdAt`, "must be an integer");
  if (!Array.isArray(o.citations)) bad(`${at}.citations`, "must be an array");
  (o.citations as unknown[]).forEach((c, i) => citation(c, `${at}.citations[${i}]`));
  if (o.schema === RECEIPT_SCHEMA) {
    if (!Array.isArray(o.trainingInfluences))
      bad(`${at}.trainingInfluences`, "must be an array (empty when no training contribution shaped the answer)");
    (o.trainingInfluences as unknown[]).forEach((t, i) => trainingInfluence(t, `${at}.trainingInfluences[${i}]`));
  } else if ("trainingInfluences" in o) {
    bad(`${at}.trainingInfluences`, `must not be in a "${RECEIPT_SCHEMA_V2}" document (training influences came with "${RECEIPT_SCHEMA}")`);
  }
  return raw as ReceiptDocument;
}

/** Checks the shape of a batch document fetched from the content store. */
export function parseReceiptBatchDocument(raw: unknown): ReceiptBatchDocument {
  const o = object(raw, "batch");
  if (o.schema !== RECEIPT_BATCH_SCHEMA) bad("batch.schema", `must be "${RECEIPT_BATCH_SCHEMA}"`);
  decimal(o.modelId as string, "batch.modelId");
  hex(o.root, "batch.root", true);
  if (!Array.isArray(o.receipts) || o.receipts.length === 0) bad("batch.receipts", "must be a non-empty array");
  (o.receipts as unknown[]).forEach((r, i) => parseReceiptDocument(r, `batch.receipts[${i}]`));
  return raw as ReceiptBatchDocument;
}

function citation(raw: unknown, at: string): void {
  const c = object(raw, at);
  for (const k of ["rank", "timestamp", "score", "weight"] as const) {
    if (typeof c[k] !== "number" || !Number.isFinite(c[k])) bad(`${at}.${k}`, "must be a number");
  }
  decimal(c.contributionId as string, `${at}.contributionId`);
  decimal(c.datanetId as string, `${at}.datanetId`);
  hex(c.contributor, `${at}.contributor`);
  hex(c.transactionHash, `${at}.transactionHash`, true);
  for (const k of ["contentId", "metadataURI", "reason"] as const) if (typeof c[k] !== "string") bad(`${at}.${k}`, "must be a string");
  hex(c.passageHash, `${at}.passageHash`, true);
  const p = object(c.passage, `${at}.passage`);
  if (typeof p.start !== "number" || typeof p.end !== "number") bad(`${at}.passage`, "must hold start and end");
  if ("text" in p) bad(`${at}.passage.text`, "must not be in a public receipt (the text belongs to the asker's private part)");
  for (const k of ["sourceSpans", "answerSpans"] as const) {
    if (!Array.isArray(c[k])) bad(`${at}.${k}`, "must be an array");
    (c[k] as unknown[]).forEach((s, i) => {
      const span = object(s, `${at}.${k}[${i}]`);
      if (typeof span.start !== "number" || typeof span.end !== "number") bad(`${at}.${k}[${i}]`, "must hold start and end");
    });
  }
}

const INFLUENCE_FIELDS = new Set([
  "contributionId",
  "datanetId",
  "contributor",
  "timestamp",
  "transactionHash",
  "contentId",
  "metadataURI",
  "rank",
  "score",
  "weight",
  "reason",
]);

/** A public training influence: exactly its fields (so no text rides along), each of its type and range. */
function trainingInfluence(raw: unknown, at: string): void {
  const t = object(raw, at);
  for (const k of Object.keys(t))
    if (!INFLUENCE_FIELDS.has(k))
      bad(`${at}.${k}`, "is not a field of a training influence (a public receipt names contributions by id and metadata, never by text)");
  if (typeof t.rank !== "number" || !Number.isSafeInteger(t.rank) || t.rank < 1)
    bad(`${at}.rank`, "must be an integer from 1 (the most influential)");
  if (typeof t.timestamp !== "number" || !Number.isSafeInteger(t.timestamp) || t.timestamp < 0)
    bad(`${at}.timestamp`, "must be Unix seconds");
  if (typeof t.score !== "number" || !Number.isFinite(t.score) || t.score < -1 || t.score > 1)
    bad(`${at}.score`, "must be a cosine between -1 and 1");
  if (typeof t.weight !== "number" || !Number.isInteger(t.weight) || t.weight < 0 || t.weight > MAX_RECEIPT_WEIGHT)
    bad(`${at}.weight`, `must be whole basis points from 0 to ${MAX_RECEIPT_WEIGHT}`);
  decimal(t.contributionId as string, `${at}.contributionId`);
  decimal(t.datanetId as string, `${at}.datanetId`);
  if (typeof t.contributor !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(t.contributor))
    bad(`${at}.contributor`, "must be a 20-byte address");
  hex(t.transactionHash, `${at}.transactionHash`, true);
  for (const k of ["contentId", "metadataURI", "reason"] as const) if (typeof t[k] !== "string") bad(`${at}.${k}`, "must be a string");
}

function object(raw: unknown, at: string): Record<string, unknown> {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) bad(at, "must be a JSON object");
  return raw as Record<string, unknown>;
}

function hex(v: unknown, at: string, bytes32 = false): void {
  if (typeof v !== "string" || !(bytes32 ? BYTES32 : HEX).test(v)) bad(at, bytes32 ? "must be 32 bytes of hex" : "must be hex");
}

function bad(field: string, rule: string): never {
  throw new InvalidReceiptError(`Invalid receipt document: "${field}" ${rule}.`, { meta: { field } });
}

function decimal(value: bigint | string, field: string): string {
  const s = typeof value === "bigint" ? value.toString() : value;
  if (typeof s !== "string" || !/^(0|[1-9][0-9]{0,77})$/.test(s)) {
    throw new InvalidReceiptError(`${field} must be a non-negative decimal integer, got ${String(value)}.`, { meta: { field } });
  }
  return s;
}
