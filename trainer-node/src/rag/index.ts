// Retrieval over accepted contributions and attribution of answers to them.
export * from "./errors.ts";
export * from "./tokenize.ts";
export * from "./passages.ts";
export * from "./bm25.ts";
export * from "./datanet-index.ts";
export * from "./attribution.ts";
export * from "./context-effect.ts";
