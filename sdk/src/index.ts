// Browser-safe entry of the ModelFactory SDK. Node-only parts live in `@modelfactory/sdk/node`.
export * from "./errors.ts";
export * from "./protocol/index.ts";
export * from "./dataset/index.ts";
export * from "./content/index.ts";
export * from "./crypto/index.ts";
export type * from "./trainer-api/types.ts";
export * from "./trainer-api/spec.ts";
export * from "./trainer-api/exports.ts";
