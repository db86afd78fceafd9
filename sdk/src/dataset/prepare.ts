// One call from an uploaded file to what a contribution needs before its transaction:
// validated canonical bytes, their sha256 content hash, the metadata document, and (with a
// content store) their CIDs. Nothing is stored unless every record is valid.

import type { CID } from "multiformats/cid";
import type { ContentStore } from "../content/store.ts";
import { ContentIntegrityError } from "../content/errors.ts";
import { computeCid } from "../content/layout.ts";
import { serializeRecords, sha256Hex, type ContentHash } from "./canonical.ts";
import {
  CONTRIBUTION_METADATA_SCHEMA,
  normalizeDescription,
  serializeContributionMetadata,
  type ContributionDescription,
  type ContributionMetadata,
} from "./metadata.ts";
import { parseDataset, type DatasetInput, type ParseDatasetOptions } from "./parse.ts";
import { collectBytes, type EncryptEnvelopeOptions } from "../crypto/envelope.ts";
import { sealContribution } from "../crypto/sealed-contribution.ts";
import { DatasetInvalidError } from "./problems.ts";
import { RECORD_SCHEMA, RECORD_SCHEMA_VERSION, type DatasetFormat, type DatasetRecord, type RecordKind } from "./schema.ts";

/** A validated contribution, ready to store. */
export type PreparedContribution = {
  format: DatasetFormat;
  records: DatasetRecord[];
  /** The canonical serialization: what is stored and hashed. */
  bytes: Uint8Array;
  /** sha256 of `bytes`, 0x-prefixed: the on-chain content hash. */
  contentHash: ContentHash;
  /** CID `bytes` will have in any store (pinned layout). */
  cid: CID;
  recordCount: number;
  recordKinds: Record<RecordKind, number>;
};

/**
 * Validates an upload and produces its canonical bytes, content hash and CID.
 * Throws {@link DatasetInvalidError} listing every problem when anything is wrong.
 * @example
 * const prepared = await prepareContribution({ bytes, fileName: "qa.jsonl" })
 * // prepared.contentHash → registerContribution(datanet, prepared.contentHash, …)
 */
export async function prepareContribution(input: DatasetInput, options: ParseDatasetOptions = {}): Promise<PreparedContribution> {
  const parsed = parseDataset(input, options);
  if (!parsed.ok) throw new DatasetInvalidError(parsed.problems, parsed.problemCount);
  const bytes = serializeRecords(parsed.records);
  const recordKinds: Record<RecordKind, number> = { instruction: 0, chat: 0, text: 0 };
  for (const record of parsed.records) recordKinds[record.kind] += 1;
  return {
    format: parsed.format,
    records: parsed.records,
    bytes,
    contentHash: await sha256Hex(bytes),
    cid: await computeCid(bytes),
    recordCount: parsed.records.length,
    recordKinds,
  };
}

/** A prepared contribution sealed for a permissioned Datanet: what is stored and registered instead. */
export type SealedPreparedContribution = {
  /** The envelope's bytes (store these). */
  envelope: Uint8Array;
  /** The envelope's CID (the on-chain content id). */
  cid: CID;
  /** sha256(salt ‖ canonical bytes): the on-chain content hash. */
  contentHash: ContentHash;
  /** The version of the Datanet key it was sealed for. */
  datanetKeyVersion: number;
};

/**
 * Seals a prepared contribution for its Datanet's key (as bound on chain in `DatanetKeys`) and
 * the contributor's own key. The envelope is built in memory: contributions are bounded
 * (`maxContributionBytes`); `encryptEnvelope` streams where a caller needs it.
 * @example
 * const sealed = await sealPreparedContribution(prepared, { recipients: [datanetKey, mine.publicKey], datanetKeyVersion: 1 })
 */
export async function sealPreparedContribution(
  prepared: PreparedContribution,
  options: EncryptEnvelopeOptions & { datanetKeyVersion: number; salt?: Uint8Array },
): Promise<SealedPreparedContribution> {
  const sealed = sealContribution(prepared.bytes, options);
  const envelope = await collectBytes(sealed.envelope);
  return {
    envelope,
    cid: await computeCid(envelope),
    contentHash: sealed.contentHash as ContentHash,
    datanetKeyVersion: options.datanetKeyVersion,
  };
}

/**
 * The metadata document of a prepared contribution (public: it is stored in the clear). For a
 * sealed one it names the envelope's hash and CID, never the canonical bytes' own hash, which an
 * outsider could check a guessed text against.
 */
export function buildContributionMetadata(
  prepared: PreparedContribution,
  description: ContributionDescription,
  sealed?: SealedPreparedContribution,
): ContributionMetadata {
  const d = normalizeDescription(description);
  return {
    schema: CONTRIBUTION_METADATA_SCHEMA,
    ...d,
    sourceFormat: prepared.format,
    recordSchema: RECORD_SCHEMA,
    recordSchemaVersion: RECORD_SCHEMA_VERSION,
    recordCount: prepared.recordCount,
    recordKinds: prepared.recordKinds,
    ...(sealed
      ? {
          byteSize: sealed.envelope.length,
          contentHash: sealed.contentHash,
          contentCid: sealed.cid.toString(),
          encryption: { format: "modelfactory.envelope/1" as const, datanetKeyVersion: sealed.datanetKeyVersion },
        }
      : { byteSize: prepared.bytes.length, contentHash: prepared.contentHash, contentCid: prepared.cid.toString() }),
  };
}

export type StoredContribution = {
  /** CID of the canonical records. */
  cid: CID;
  /** CID of the metadata document. */
  metadataCid: CID;
  contentHash: ContentHash;
  metadata: ContributionMetadata;
};

/**
 * Stores a sealed contribution's envelope and its (public) metadata; the returned content hash
 * and CID are what `contribute` registers. Throws ContentIntegrityError on a CID mismatch.
 */
export async function storeSealedContribution(
  store: ContentStore,
  prepared: PreparedContribution,
  description: ContributionDescription,
  options: EncryptEnvelopeOptions & { datanetKeyVersion: number },
): Promise<StoredContribution> {
  const sealed = await sealPreparedContribution(prepared, options);
  const metadata = buildContributionMetadata(prepared, description, sealed);
  const cid = await store.put(sealed.envelope);
  if (cid.toString() !== sealed.cid.toString()) {
    throw new ContentIntegrityError(`The store gave CID ${cid} to an envelope whose CID is ${sealed.cid}.`, {
      details: "The store does not use the pinned layout; see sdk/CONTENT.md.",
      meta: { returned: cid.toString(), expected: sealed.cid.toString() },
    });
  }
  const metadataCid = await store.put(serializeContributionMetadata(metadata));
  return { cid, metadataCid, contentHash: sealed.contentHash, metadata };
}

/**
 * Stores a prepared contribution's records and metadata. Throws ContentIntegrityError if the
 * store reports a CID other than the one computed locally.
 */
export async function storeContribution(
  store: ContentStore,
  prepared: PreparedContribution,
  description: ContributionDescription,
): Promise<StoredContribution> {
  const metadata = buildContributionMetadata(prepared, description);
  const cid = await store.put(prepared.bytes);
  if (cid.toString() !== prepared.cid.toString()) {
    throw new ContentIntegrityError(`The store gave CID ${cid} to records whose CID is ${prepared.cid}.`, {
      details: "The store does not use the pinned layout; see sdk/CONTENT.md.",
      meta: { returned: cid.toString(), expected: prepared.cid.toString() },
    });
  }
  const metadataCid = await store.put(serializeContributionMetadata(metadata));
  return { cid, metadataCid, contentHash: prepared.contentHash, metadata };
}
