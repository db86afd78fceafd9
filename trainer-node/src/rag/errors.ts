// Errors of the retrieval index and attribution, with stable codes the API passes through.
import { ModelFactoryError, type ModelFactoryErrorOptions } from "@modelfactory/sdk";

/** Base of every retrieval and attribution error. */
export class RagError extends ModelFactoryError {
  override name = "RagError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "RAG_ERROR", ...options });
  }
}

/** Thrown when a contribution exceeds an indexing limit (records, characters or passages). */
export class ContributionTooLargeError extends RagError {
  override name = "ContributionTooLargeError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "RAG_CONTRIBUTION_TOO_LARGE", ...options });
  }
}

/** Thrown when a record or argument does not have the expected shape. */
export class RagInputError extends RagError {
  override name = "RagInputError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "RAG_INVALID_INPUT", ...options });
  }
}
