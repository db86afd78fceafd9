// Errors of the trainer node. API errors carry an HTTP status and a stable code that clients
// see as `{"error": {"code", "message"}}`; job errors become the on-chain failure reason.
import { ModelFactoryError, type ModelFactoryErrorOptions } from "@modelfactory/sdk";

export class TrainerNodeError extends ModelFactoryError {
  override name = "TrainerNodeError";
}

/** A configuration value is missing or invalid; the message names the setting. */
export class ConfigError extends TrainerNodeError {
  override name = "ConfigError";
  constructor(message: string, options: ModelFactoryErrorOptions = {}) {
    super(message, { code: "CONFIG_INVALID", ...options });
  }
}

/** An API request failed; `status` is the HTTP status to answer with. */
export class ApiError extends TrainerNodeError {
  override name = "ApiError";
  readonly status: number;
  constructor(status: number, code: string, message: string, options: ModelFactoryErrorOptions = {}) {
    super(message, { ...options, code });
    this.status = status;
  }
}

/** A job cannot go on; `message` is the human-readable reason posted with `failJob`. */
export class JobFailure extends TrainerNodeError {
  override name = "JobFailure";
  constructor(code: string, message: string, options: ModelFactoryErrorOptions = {}) {
    super(message, { ...options, code });
  }
}
