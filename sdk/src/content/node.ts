// Content-addressed storage, Node-only part: the embedded store over a filesystem blockstore.

export * from "./embedded.ts";
