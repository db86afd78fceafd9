// Minimal GraphQL-over-HTTP client for the subgraph (The Graph dialect). Errors become
// ModelFactoryErrors with one-sentence messages.
import { ModelFactoryError } from "@sdk/errors.ts";

export class IndexerError extends ModelFactoryError {
  override name = "IndexerError";
}

export type GraphQLRequest = { url: string; query: string; variables?: Record<string, unknown>; signal?: AbortSignal };

/** Posts a query and returns `data`, throwing IndexerError on transport or GraphQL errors. */
export async function graphqlRequest<T>({ url, query, variables, signal }: GraphQLRequest): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query, variables: variables ?? {} }),
      ...(signal ? { signal } : {}),
    });
  } catch (cause) {
    throw new IndexerError("The index (subgraph) could not be reached; is it running?", { code: "INDEXER_UNREACHABLE", cause });
  }
  let body: { data?: T; errors?: { message: string }[] };
  try {
    body = await response.json();
  } catch (cause) {
    throw new IndexerError(`The index answered HTTP ${response.status} without JSON.`, { code: "INDEXER_BAD_RESPONSE", cause });
  }
  if (body.errors?.length) {
    throw new IndexerError(`The index refused the query: ${body.errors[0]!.message}`, {
      code: "INDEXER_QUERY",
      meta: { errors: body.errors },
    });
  }
  if (!response.ok || !body.data) throw new IndexerError(`The index answered HTTP ${response.status}.`, { code: "INDEXER_BAD_RESPONSE" });
  return body.data;
}
