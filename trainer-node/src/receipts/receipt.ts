// One answer's receipt: the full document (question, answer hash, citations with scores, spans
// and reasons) that goes to the content store, and the on-chain leaf that commits to it. The
// leaf is a pure function of the document, so a verifier needs only the document and a proof.
import { hashAnswer, type Citation, type Receipt, type ReceiptDocument, type ReceiptStatus } from "@modelfactory/sdk";
import { bytesToHex, keccak256, stringToBytes, type Hex } from "viem";
import { canonicalJson, canonicalJsonHash } from "./canonical-json.ts";
import { InvalidReceiptError } from "./errors.ts";

export const RECEIPT_SCHEMA = "modelfactory.receipt/1";
/** Largest total weight of one receipt, in basis points. */
export const MAX_RECEIPT_WEIGHT = 10_000;
const MAX_CONTRIBUTION_ID = (1n << 48n) - 1n;

export type BuildReceiptInput = {
  modelId: bigint | string;
  question: string;
  /** The exact answer text returned to the caller; only its hash is kept. */
  answer: string;
  citations: readonly Citation[];
  /** Unix milliseconds. Default now. */
  createdAt?: number;
  /** 32 random bytes by default; fixed only in tests. */
  nonce?: Hex;
};

export type BuiltReceipt = { document: ReceiptDocument; leaf: Receipt };

/**
 * Builds a receipt. `receiptId` is keccak256 of the canonical JSON of
 * {answerHash, createdAt, modelId, nonce, question}: unique per answer, unguessable, and
 * tied to the content.
 * @example
 * const { document, leaf } = buildReceipt({ modelId: 1n, question, answer, citations })
 */
export function buildReceipt(input: BuildReceiptInput): BuiltReceipt {
  const modelId = decimal(input.modelId, "modelId");
  const answerHash = hashAnswer(input.answer);
  const createdAt = input.createdAt ?? Date.now();
  const nonce = input.nonce ?? bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  const receiptId = keccak256(stringToBytes(canonicalJson({ answerHash, createdAt, modelId, nonce, question: input.question })));
  const document: ReceiptDocument = {
    schema: RECEIPT_SCHEMA,
    receiptId,
    modelId,
    answerHash,
    question: input.question,
    citations: input.citations.map((c) => ({ ...c })),
    createdAt,
  };
  return { document, leaf: receiptLeafFromDocument(document) };
}

/** keccak256 of the canonical JSON bytes of the document: the leaf's `detailsHash`. */
export function receiptDetailsHash(document: ReceiptDocument): Hex {
  return canonicalJsonHash(document);
}

/**
 * The on-chain leaf a document commits to. Citations of the same contribution (several of its
 * passages) are summed into one entry, in order of first appearance; total weight ≤ 10000.
 * Throws InvalidReceiptError when the document cannot be posted.
 */
export function receiptLeafFromDocument(document: ReceiptDocument): Receipt {
  if (document.schema !== RECEIPT_SCHEMA) throw new InvalidReceiptError(`Unknown receipt schema ${JSON.stringify(document.schema)}.`);
  if (!/^0x[0-9a-fA-F]{64}$/.test(document.receiptId)) throw new InvalidReceiptError("receiptId must be 32 bytes of hex.");
  const weights = new Map<bigint, number>();
  let total = 0;
  for (const c of document.citations) {
    const id = BigInt(decimal(c.contributionId, "contributionId"));
    if (id === 0n || id > MAX_CONTRIBUTION_ID) {
      throw new InvalidReceiptError(`Contribution id ${id} does not fit the 48-bit citation format.`, { meta: { contributionId: String(id) } });
    }
    if (!Number.isInteger(c.weight) || c.weight < 0 || c.weight > MAX_RECEIPT_WEIGHT) {
      throw new InvalidReceiptError(`Citation weight ${c.weight} is not between 0 and ${MAX_RECEIPT_WEIGHT}.`, { meta: { weight: c.weight } });
    }
    weights.set(id, (weights.get(id) ?? 0) + c.weight);
    total += c.weight;
  }
  if (total > MAX_RECEIPT_WEIGHT) {
    throw new InvalidReceiptError(`Citation weights sum to ${total}, above ${MAX_RECEIPT_WEIGHT}.`, { meta: { total } });
  }
  return {
    receiptId: document.receiptId,
    modelId: BigInt(decimal(document.modelId, "modelId")),
    answerHash: document.answerHash,
    contributionIds: [...weights.keys()],
    weights: [...weights.values()],
    detailsHash: receiptDetailsHash(document),
  };
}

/** The leaf as the API shows it (bigints as decimal strings). */
export function leafToJson(leaf: Receipt): ReceiptStatus["leaf"] {
  return {
    receiptId: leaf.receiptId,
    modelId: leaf.modelId.toString(),
    answerHash: leaf.answerHash,
    contributionIds: leaf.contributionIds.map(String),
    weights: [...leaf.weights],
    detailsHash: leaf.detailsHash,
  };
}

/** The leaf from its API form. */
export function leafFromJson(leaf: ReceiptStatus["leaf"]): Receipt {
  return {
    receiptId: leaf.receiptId,
    modelId: BigInt(leaf.modelId),
    answerHash: leaf.answerHash,
    contributionIds: leaf.contributionIds.map((id) => BigInt(id)),
    weights: [...leaf.weights],
    detailsHash: leaf.detailsHash,
  };
}

function decimal(value: bigint | string, field: string): string {
  const s = typeof value === "bigint" ? value.toString() : value;
  if (typeof s !== "string" || !/^(0|[1-9][0-9]{0,77})$/.test(s)) {
    throw new InvalidReceiptError(`${field} must be a non-negative decimal integer, got ${String(value)}.`, { meta: { field } });
  }
  return s;
}
