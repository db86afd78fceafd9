// An error answered to an RPC client in Kubo's shape: {"Message", "Code", "Type": "error"}.

import { ModelFactoryError } from "../errors.ts";

export class ContentApiError extends ModelFactoryError {
  override name = "ContentApiError";
  readonly status: number;

  constructor(status: number, message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? "CONTENT_API_REQUEST_REJECTED", cause: options.cause, meta: { status } });
    this.status = status;
  }
}
