// Every validation problem with its line (or row) and field, what is wrong and what to do.
import type { DatasetProblem } from "@sdk/dataset/problems.ts";

export function problemLocation(p: DatasetProblem): string {
  return (
    [p.line !== undefined ? `Line ${p.line}` : null, p.row !== undefined ? `row ${p.row}` : null, p.field ? `field ${p.field}` : null]
      .filter(Boolean)
      .join(", ") || "Whole file"
  );
}

export function DatasetProblems({ problems, total }: { problems: DatasetProblem[]; total: number }) {
  return (
    <section className="panel" aria-labelledby="problems-h" data-testid="dataset-problems">
      <h2 id="problems-h" className="verify-bad">
        {total === 1 ? "1 problem" : `${total} problems`} — nothing was uploaded
      </h2>
      <ul className="problems">
        {problems.map((p, i) => (
          <li key={i} data-code={p.code}>
            <span className="problem-where">{problemLocation(p)}</span>
            {p.message}
            <span className="problem-hint">{p.hint}</span>
          </li>
        ))}
      </ul>
      {total > problems.length ? <p className="hint">…and {total - problems.length} more. Fix these first and validate again.</p> : null}
    </section>
  );
}
