// A table of rows, or the empty state when there are none: the scaffolding every list page
// repeated.
import type { ReactNode } from "react";
import { Empty } from "./states.tsx";

export type TableProps<T> = {
  rows: readonly T[];
  /** Column headers; an empty string for an unlabelled (actions) column. */
  head: readonly string[];
  row: (item: T) => ReactNode;
  /** The empty state's title, and optionally what to do. */
  empty: { title: string; children?: ReactNode };
  testId?: string;
};

export function Table<T>({ rows, head, row, empty, testId }: TableProps<T>) {
  if (rows.length === 0) return <Empty title={empty.title}>{empty.children}</Empty>;
  return (
    <table className="table" {...(testId ? { "data-testid": testId } : {})}>
      <thead>
        <tr>{head.map((h, i) => (h ? <th key={i}>{h}</th> : <th key={i} aria-label="Actions" />))}</tr>
      </thead>
      <tbody>{rows.map(row)}</tbody>
    </table>
  );
}
