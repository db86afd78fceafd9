// Content-addressed storage, Node-only part: the embedded store over a filesystem blockstore,
// and streamed Kubo uploads.

export * from "./embedded.ts";
export * from "./kubo-node.ts";
