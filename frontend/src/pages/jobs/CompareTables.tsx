// The comparison's tables: metrics per job, the spec fields that differ, and sample answers side
// by side. Presentational (data in, markup out); every dataset string is a React text child, so
// it is shown as text, never parsed as HTML.
import type { CompareMetrics, SampleRow, SpecDifference } from "./compare.ts";
import { formatBytes, formatDuration, formatNumber } from "../../ui/format.ts";

export type ComparedColumn = { id: string; color: string };

function Head({ jobs, first }: { jobs: ComparedColumn[]; first: string }) {
  return (
    <thead>
      <tr>
        <th>{first}</th>
        {jobs.map((j) => (
          <th key={j.id} className="num">
            <span style={{ color: j.color }}>■</span> Job #{j.id}
          </th>
        ))}
      </tr>
    </thead>
  );
}

const METRIC_ROWS: { label: string; value: (m: CompareMetrics) => string }[] = [
  { label: "Perplexity (tuned, lower is better)", value: (m) => formatNumber(m.perplexity, 4) },
  { label: "BLEU (tuned)", value: (m) => (m.bleu === null ? "—" : formatNumber(m.bleu, 3)) },
  { label: "ROUGE-L (tuned)", value: (m) => (m.rougeL === null ? "—" : formatNumber(m.rougeL, 4)) },
  { label: "Peak memory", value: (m) => formatBytes(m.peakMemoryBytes) },
  { label: "Training time", value: (m) => formatDuration(m.seconds) },
  { label: "Training tokens", value: (m) => formatNumber(m.trainTokens) },
  { label: "Published step", value: (m) => (m.bestStep === null ? "last" : String(m.bestStep)) },
];

/** `metrics[i]` is null while job i's report loads or when it has none (`missing[i]` says why). */
export function MetricsTable({
  jobs,
  metrics,
  missing,
}: {
  jobs: ComparedColumn[];
  metrics: (CompareMetrics | null)[];
  missing: string[];
}) {
  return (
    <table className="table" data-testid="compare-metrics">
      <Head jobs={jobs} first="Metric" />
      <tbody>
        {METRIC_ROWS.map((row) => (
          <tr key={row.label}>
            <td>{row.label}</td>
            {metrics.map((m, i) => (
              <td key={jobs[i]!.id} className="num">
                {m ? row.value(m) : <span className="hint">{missing[i]}</span>}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SpecDifferencesTable({ jobs, differences }: { jobs: ComparedColumn[]; differences: SpecDifference[] }) {
  if (differences.length === 0)
    return (
      <p className="hint" data-testid="compare-spec-same">
        The specs are the same in every field.
      </p>
    );
  return (
    <table className="table" data-testid="compare-spec">
      <Head jobs={jobs} first="Spec field (only those that differ)" />
      <tbody>
        {differences.map((d) => (
          <tr key={d.field}>
            <td className="mono">{d.field}</td>
            {d.values.map((v, i) => (
              // Values unlike the first job's are marked, so the eye finds what changed.
              <td
                key={jobs[i]!.id}
                className={`mono${i > 0 && v !== d.values[0] ? " diff" : ""}`}
                style={i > 0 && v !== d.values[0] ? { background: "#fff4d6" } : undefined}
              >
                {v ?? "—"}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SamplesSideBySide({ jobs, rows }: { jobs: ComparedColumn[]; rows: SampleRow[] }) {
  if (rows.length === 0) return <p className="hint">No sample answers in these reports.</p>;
  return (
    <>
      {rows.map((r, i) => (
        <article key={i} className="record" aria-label={`Sample ${i + 1}`}>
          <span className="record-role">prompt</span>
          <p className="record-text">{r.prompt}</p>
          <span className="record-role">reference</span>
          <p className="record-text">{r.reference}</p>
          <div className="cols-2" style={{ gridTemplateColumns: `repeat(${jobs.length}, 1fr)` }}>
            {r.answers.map((a, j) => (
              <div key={jobs[j]!.id}>
                <span className="record-role">job #{jobs[j]!.id}</span>
                <p className="record-text">{a ?? "— (no sample of this prompt)"}</p>
              </div>
            ))}
          </div>
        </article>
      ))}
    </>
  );
}
