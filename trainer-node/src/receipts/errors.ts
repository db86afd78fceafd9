// Errors of receipt building and batching, with stable codes the API passes through.
import { ModelFactoryError, type ModelFactoryErrorOptions } from "@modelfactory/sdk";

/** A receipt document that cannot be committed to: the SDK's error, re-exported for callers here. */
export { InvalidReceiptError } from "@modelfactory/sdk";

/** Base of every receipt error. */
export class ReceiptError extends ModelFactoryError {
  override name = "ReceiptError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "RECEIPT_ERROR", ...options });
  }
}

/** Thrown (and reported) when a batch could not be stored or posted; its receipts stay pending. */
export class BatchPostError extends ReceiptError {
  override name = "BatchPostError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "RECEIPT_BATCH_POST_FAILED", ...options });
  }
}

/** Thrown when the receipts journal cannot be read or written. */
export class ReceiptJournalError extends ReceiptError {
  override name = "ReceiptJournalError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "RECEIPT_JOURNAL_FAILED", ...options });
  }
}

/** Thrown when a receipt is added to a batcher that was closed. */
export class BatcherClosedError extends ReceiptError {
  override name = "BatcherClosedError";
  constructor(shortMessage = "The receipt batcher is closed.", options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "RECEIPT_BATCHER_CLOSED", ...options });
  }
}
