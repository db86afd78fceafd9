// Answer receipts on a trainer node: batching under a Merkle root, the crash-safe journal and
// posting on chain. The receipt document, its leaf and canonical JSON are the SDK's.
export * from "./errors.ts";
export * from "./merkle.ts";
export * from "./journal.ts";
export * from "./batcher.ts";
export * from "./ledger.ts";
