// Encryption of permissioned data: the envelope format, its keys and sealed contributions (sdk/ENVELOPE.md).
export * from "./errors.ts";
export { chunkCipher, defaultAeadBackend, type AeadBackend, type ChunkCipher } from "./aead.ts";
export * from "./keys.ts";
export * from "./envelope.ts";
export * from "./sealed-contribution.ts";
export * from "./sealed-artifact.ts";
