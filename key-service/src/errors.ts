// Errors of the key service. Every answer that is not a release carries an HTTP status and a
// stable code, sent as {"error": {"code", "message"}}; the message names the condition that failed.
import { ModelFactoryError, type ModelFactoryErrorOptions } from "@modelfactory/sdk";

export class KeyServiceDaemonError extends ModelFactoryError {
  override name = "KeyServiceDaemonError";
}

/** A MF_KS_* setting is missing or invalid; the message names it. */
export class ConfigError extends KeyServiceDaemonError {
  override name = "ConfigError";
  constructor(message: string, options: ModelFactoryErrorOptions = {}) {
    super(message, { code: "CONFIG_INVALID", ...options });
  }
}

/**
 * A request is answered with `status`: 400 malformed, 401 not authenticated (signature, nonce,
 * domain, chain, time), 403 refused by the chain's conditions, 404, 502 content store away.
 */
export class ApiError extends KeyServiceDaemonError {
  override name = "ApiError";
  readonly status: number;
  constructor(status: number, code: string, message: string, options: ModelFactoryErrorOptions = {}) {
    super(message, { ...options, code });
    this.status = status;
  }
}

/** A condition on chain does not hold (403); `code` names which. */
export class Refusal extends ApiError {
  override name = "Refusal";
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}
