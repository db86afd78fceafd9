// The runner's errors: one class on top of the SDK's base, so callers and the CLI print one
// readable sentence whatever failed (configuration, chain, mapping, store).
import { ModelFactoryError, type ModelFactoryErrorOptions } from "@modelfactory/sdk";

/** Any failure of the local subgraph runner. */
export class RunnerError extends ModelFactoryError {
  override name = "RunnerError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "SUBGRAPH_RUNNER", ...options });
  }
}

/** A mapping failed deterministically (abort, bad entity, missing host function). */
export class MappingError extends RunnerError {
  override name = "MappingError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "MAPPING_FAILED", ...options });
  }
}
