// Posts GraphQL to the runner over HTTP, as the GUI does.
export type Result<T = any> = { data?: T; errors?: { message: string }[] };

export async function gql<T = any>(url: string, query: string, variables?: Record<string, unknown>): Promise<Result<T>> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Result<T>;
}

/** The data of a query that must succeed. */
export async function data<T = any>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const r = await gql<T>(url, query, variables);
  if (r.errors?.length) throw new Error(`GraphQL errors: ${r.errors.map((e) => e.message).join("; ")}`);
  return r.data as T;
}
