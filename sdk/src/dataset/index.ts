// Dataset records (browser-safe): formats, validation, canonical serialization and hashing,
// metadata, and reading contributions for training.

export * from "./schema.ts";
export * from "./limits.ts";
export * from "./problems.ts";
export { parseDataset, formatFromName, type DatasetInput, type ParseDatasetOptions, type ParseDatasetResult } from "./parse.ts";
export type { CsvOptions } from "./csv.ts";
export { serializeRecord, serializeRecords, sha256Hex, isContentHash, type ContentHash } from "./canonical.ts";
export * from "./metadata.ts";
export * from "./prepare.ts";
export * from "./read.ts";
