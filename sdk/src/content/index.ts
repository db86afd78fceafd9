// Content-addressed storage (browser-safe part): the store interface, the pinned UnixFS
// layout, CID helpers, typed errors and the Kubo RPC backend. The embedded store is Node-only
// (`@modelfactory/sdk/node`).

export * from "./errors.ts";
export { toCid, verifyBlock } from "./cid.ts";
export * from "./layout.ts";
export { toAsyncIterable, type ContentSource } from "./source.ts";
export * from "./store.ts";
export * from "./kubo.ts";
