// Canonical dataset records, schema version 1. These shapes are what a contribution stores,
// what its on-chain content hash covers and what the Python worker reads: change them only
// by introducing a new schema version.

/** Schema identifier written into every canonical record. */
export const RECORD_SCHEMA = "modelfactory.record/1";

/** Version number of {@link RECORD_SCHEMA}. */
export const RECORD_SCHEMA_VERSION = 1;

/** The kinds of canonical record. */
export const RECORD_KINDS = ["instruction", "chat", "text"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Roles a chat message may have. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** An instruction-following example; `input` is `""` when the source had none. */
export type InstructionRecord = {
  schema: typeof RECORD_SCHEMA;
  kind: "instruction";
  instruction: string;
  input: string;
  output: string;
};

export type ChatMessage = { role: ChatRole; content: string };

/** A conversation; at least one assistant turn, a system turn only first. */
export type ChatRecord = {
  schema: typeof RECORD_SCHEMA;
  kind: "chat";
  messages: ChatMessage[];
};

/** A passage of plain text. */
export type TextRecord = {
  schema: typeof RECORD_SCHEMA;
  kind: "text";
  text: string;
};

export type DatasetRecord = InstructionRecord | ChatRecord | TextRecord;

/** Input formats a contribution may be uploaded in. */
export const DATASET_FORMATS = ["jsonl", "text", "csv"] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/**
 * How CSV columns map onto a record: instruction/input/output columns, or one text column.
 * @example
 * { kind: "instruction", instruction: "question", output: "answer" }
 */
export type CsvMapping = { kind: "instruction"; instruction: string; input?: string; output: string } | { kind: "text"; text: string };
