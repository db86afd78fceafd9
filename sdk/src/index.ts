// Browser-safe entry of the ModelFactory SDK. Node-only parts live in `@modelfactory/sdk/node`.
export * from "./errors.ts";
export * from "./protocol/index.ts";
