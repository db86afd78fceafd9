// One error hierarchy for the whole SDK: a short message, structured details and a cause
// chain, so the GUI and the trainer node can turn any failure into one readable sentence.

/** Parameters accepted by {@link ModelFactoryError}. */
export type ModelFactoryErrorOptions = {
  /** Machine-readable code, stable across versions (e.g. `DATASET_INVALID`). */
  code?: string;
  /** Longer human-readable explanation: what was wrong and what to do. */
  details?: string;
  /** The error that caused this one. */
  cause?: unknown;
  /** Structured values that explain the error (offending input, limits). */
  meta?: Record<string, unknown>;
};

/** Base class of every error thrown by the SDK. */
export class ModelFactoryError extends Error {
  override name = "ModelFactoryError";
  readonly code: string;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly meta: Record<string, unknown>;

  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    const details = options.details;
    super(details ? `${shortMessage}\n\n${details}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.code = options.code ?? "MODELFACTORY_ERROR";
    this.details = details;
    this.meta = options.meta ?? {};
  }

  /** Walks the cause chain and returns the first error for which `predicate` holds. */
  walk(predicate: (error: unknown) => boolean): unknown {
    let current: unknown = this;
    const seen = new Set<unknown>();
    while (current && !seen.has(current)) {
      if (predicate(current)) return current;
      seen.add(current);
      current = (current as { cause?: unknown }).cause;
    }
    return undefined;
  }
}

/** Thrown when a value given to the SDK does not have the expected shape. */
export class InvalidInputError extends ModelFactoryError {
  override name = "InvalidInputError";
  constructor(shortMessage: string, options: ModelFactoryErrorOptions = {}) {
    super(shortMessage, { code: "INVALID_INPUT", ...options });
  }
}

/**
 * One readable sentence for any error: the short message of the deepest ModelFactoryError,
 * otherwise the error's own message.
 * @example
 * toast(describeError(e)) // "Contribution exceeds the 50 MB limit."
 */
export function describeError(error: unknown): string {
  if (error instanceof ModelFactoryError) return error.shortMessage;
  if (error && typeof error === "object") {
    const e = error as { shortMessage?: unknown; message?: unknown };
    if (typeof e.shortMessage === "string") return e.shortMessage;
    if (typeof e.message === "string") return e.message.split("\n")[0] ?? "Unknown error";
  }
  return String(error);
}
