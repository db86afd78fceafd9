// Node-only entry of the ModelFactory SDK: everything in the browser entry plus filesystem
// and server helpers.
export * from "./index.ts";
export * from "./node/deployment-file.ts";
export * from "./node/keystore.ts";
export * from "./content/node.ts";
export * from "./content-api/index.ts";
