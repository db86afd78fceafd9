// The contribution metadata document: a small JSON file stored beside the records, naming
// what they are (title, license, tags) and pinning down what was hashed (count, size, hash,
// CID). Serialized canonically too, so it can be hashed and compared.

import { InvalidInputError } from "../errors.ts";
import type { ContentHash } from "./canonical.ts";
import { isContentHash } from "./canonical.ts";
import { normalizeText } from "./text-checks.ts";
import { RECORD_SCHEMA, RECORD_SCHEMA_VERSION, type DatasetFormat, type RecordKind } from "./schema.ts";

export const CONTRIBUTION_METADATA_SCHEMA = "modelfactory.contribution-metadata/1";

/** What the contributor writes about a contribution. */
export type ContributionDescription = {
  title: string;
  description?: string;
  tags?: string[];
  /** SPDX identifier (e.g. `CC-BY-4.0`) or a short license name. */
  license: string;
};

export type ContributionMetadata = {
  schema: typeof CONTRIBUTION_METADATA_SCHEMA;
  title: string;
  description: string;
  tags: string[];
  license: string;
  /** The format the contributor uploaded, before canonicalisation. */
  sourceFormat: DatasetFormat;
  recordSchema: typeof RECORD_SCHEMA;
  recordSchemaVersion: typeof RECORD_SCHEMA_VERSION;
  recordCount: number;
  recordKinds: Record<RecordKind, number>;
  /** Size of the canonical bytes (of the envelope, for a sealed contribution). */
  byteSize: number;
  /** The on-chain content hash: sha256 of the canonical bytes, or of salt ‖ bytes when sealed. */
  contentHash: ContentHash;
  /** CID of what is stored: the canonical bytes, or the envelope when sealed. */
  contentCid?: string;
  /** Present when the contribution is stored encrypted (a permissioned Datanet): sdk/ENVELOPE.md. */
  encryption?: { format: "modelfactory.envelope/1"; datanetKeyVersion: number };
};

export const METADATA_LIMITS = Object.freeze({ title: 200, description: 5000, tags: 20, tag: 50, license: 100 });

/** Checks and normalises the contributor's description; throws InvalidInputError naming the field. */
export function normalizeDescription(input: ContributionDescription): Required<ContributionDescription> {
  const text = (field: string, value: unknown, max: number, required: boolean): string => {
    if (value === undefined && !required) return "";
    if (typeof value !== "string") throw new InvalidInputError(`Metadata field "${field}" must be a string.`, { meta: { field } });
    const normalized = normalizeText(value).trim();
    if (required && normalized.length === 0) throw new InvalidInputError(`Metadata field "${field}" is empty.`, { meta: { field } });
    if (normalized.length > max) {
      throw new InvalidInputError(`Metadata field "${field}" is longer than ${max} characters.`, { meta: { field, max } });
    }
    return normalized;
  };
  const tags = input.tags ?? [];
  if (!Array.isArray(tags) || tags.length > METADATA_LIMITS.tags) {
    throw new InvalidInputError(`Metadata "tags" must be a list of at most ${METADATA_LIMITS.tags} tags.`, { meta: { field: "tags" } });
  }
  const normalizedTags = [...new Set(tags.map((tag) => text("tags", tag, METADATA_LIMITS.tag, true).toLowerCase()))];
  return {
    title: text("title", input.title, METADATA_LIMITS.title, true),
    description: text("description", input.description, METADATA_LIMITS.description, false),
    tags: normalizedTags,
    license: text("license", input.license, METADATA_LIMITS.license, true),
  };
}

/** The metadata document's canonical bytes: fixed key order, no whitespace, UTF-8. */
export function serializeContributionMetadata(metadata: ContributionMetadata): Uint8Array {
  if (!isContentHash(metadata.contentHash)) throw new InvalidInputError("Metadata contentHash is not a 0x-prefixed sha256.");
  const ordered = {
    schema: metadata.schema,
    title: metadata.title,
    description: metadata.description,
    tags: metadata.tags,
    license: metadata.license,
    sourceFormat: metadata.sourceFormat,
    recordSchema: metadata.recordSchema,
    recordSchemaVersion: metadata.recordSchemaVersion,
    recordCount: metadata.recordCount,
    recordKinds: { instruction: metadata.recordKinds.instruction, chat: metadata.recordKinds.chat, text: metadata.recordKinds.text },
    byteSize: metadata.byteSize,
    contentHash: metadata.contentHash.toLowerCase(),
    ...(metadata.contentCid !== undefined ? { contentCid: metadata.contentCid } : {}),
  };
  return new TextEncoder().encode(`${JSON.stringify(ordered)}\n`);
}
