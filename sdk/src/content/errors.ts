// Typed failures of the content store, shared by every backend so callers handle a missing
// CID or corrupted bytes the same way whether the store is embedded or a Kubo node.

import { ModelFactoryError, type ModelFactoryErrorOptions } from "../errors.ts";

/** The content is not in the store (or, for Kubo in offline mode, not on that node). */
export class ContentNotFoundError extends ModelFactoryError {
  override name = "ContentNotFoundError";
  constructor(cid: string, options: ModelFactoryErrorOptions = {}) {
    super(`Content ${cid} was not found in the content store.`, {
      code: "CONTENT_NOT_FOUND",
      details: "It was never added to this store, or it was added to another one. Check the CID and the store's address.",
      ...options,
      meta: { cid, ...options.meta },
    });
  }
}

/** Bytes read from the store do not hash to the CID (or content hash) they were asked for. */
export class ContentIntegrityError extends ModelFactoryError {
  override name = "ContentIntegrityError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "CONTENT_INTEGRITY_FAILED", ...options });
  }
}

/** Content, or a request carrying it, exceeds a size limit. */
export class ContentTooLargeError extends ModelFactoryError {
  override name = "ContentTooLargeError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "CONTENT_TOO_LARGE", ...options });
  }
}

/** A string that should be a CID is not one. */
export class InvalidCidError extends ModelFactoryError {
  override name = "InvalidCidError";
  constructor(value: unknown, options: ModelFactoryErrorOptions = {}) {
    super(`${JSON.stringify(String(value)).slice(0, 80)} is not a valid CID.`, {
      code: "CONTENT_INVALID_CID",
      ...options,
      meta: { value: String(value), ...options.meta },
    });
  }
}

/** The store could not be reached or answered with an error not covered above. */
export class ContentStoreError extends ModelFactoryError {
  override name = "ContentStoreError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "CONTENT_STORE_FAILED", ...options });
  }
}
