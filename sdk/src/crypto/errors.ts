// Errors of the envelope format, with stable codes a GUI or a trainer node turns into a reason.
import { ModelFactoryError, type ModelFactoryErrorOptions } from "../errors.ts";

/**
 * An envelope that cannot be read or does not authenticate. Codes: ENVELOPE_MALFORMED (not an
 * envelope, bad header), ENVELOPE_AUTH_FAILED (edited, reordered or wrong key),
 * ENVELOPE_TRUNCATED (ends before its last chunk), ENVELOPE_NOT_A_RECIPIENT (no wrapped key for
 * this key), ENVELOPE_BAD_KEY (a key of the wrong size).
 */
export class EnvelopeError extends ModelFactoryError {
  override name = "EnvelopeError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "ENVELOPE_MALFORMED", ...options });
  }
}
