// Loading, empty and error states, the same everywhere.
import type { ReactNode } from "react";
import { errorSentence } from "../lib/error-sentence.ts";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status">
      <span className="spinner" aria-hidden /> {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <span>{errorSentence(error)}</span>
      {retry ? (
        <button className="btn btn-small" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** What QueryView reads of a react-query result. */
export type QueryLike<T> = { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };

/** Renders a react-query result's three states around its data. */
export function QueryView<T>({
  query,
  empty,
  children,
  loading,
}: {
  query: QueryLike<T>;
  empty?: (data: T) => ReactNode | null;
  loading?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading {...(loading ? { label: loading } : {})} />;
  if (query.error) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  const data = query.data as T;
  const e = empty?.(data);
  if (e) return <>{e}</>;
  return <>{children(data)}</>;
}
