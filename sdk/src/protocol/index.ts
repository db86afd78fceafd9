// The on-chain protocol seen from TypeScript: ABIs, enums, grants, manifests, receipts, and the
// documents (receipt, batch, manifest) whose hashes the chain holds.
export * from "../generated/abis.ts";
export * from "./enums.ts";
export * from "./access-grant.ts";
export * from "./manifest.ts";
export * from "./receipt.ts";
export * from "./canonical-json.ts";
export * from "./receipt-document.ts";
export * from "./receipt-leaf-json.ts";
export * from "./citation-effect.ts";
export * from "./training-influence.ts";
export * from "./deployment.ts";
export * from "./key-request.ts";
export * from "./key-service-api.ts";
