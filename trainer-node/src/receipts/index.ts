// Answer receipts: building, canonical hashing, batching under a Merkle root and posting on chain.
export * from "./errors.ts";
export * from "./canonical-json.ts";
export * from "./receipt.ts";
export * from "./merkle.ts";
export * from "./journal.ts";
export * from "./batcher.ts";
export * from "./ledger.ts";
