// The on-chain protocol seen from TypeScript: ABIs, enums, grants, manifests, receipts.
export * from "../generated/abis.ts";
export * from "./enums.ts";
export * from "./access-grant.ts";
export * from "./manifest.ts";
export * from "./receipt.ts";
export * from "./deployment.ts";
