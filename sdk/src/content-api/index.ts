// The local content API (Node-only): Kubo's add/cat/pin/add/version over the embedded store.

export { startContentApi, DEFAULT_MAX_REQUEST_BYTES, type ContentApi, type ContentApiOptions } from "./server.ts";
export { DEFAULT_ALLOWED_ORIGINS, isOriginAllowed } from "./policy.ts";
export { ContentApiError } from "./content-api-error.ts";
