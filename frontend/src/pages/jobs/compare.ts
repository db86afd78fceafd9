// Run comparison, the pure part: which jobs the URL names, which spec fields differ, the metrics
// row of a report, and sample answers grouped by prompt.
import type { EvaluationReport, TrainingSpec } from "@modelfactory/sdk";

export const MIN_COMPARED = 2;
export const MAX_COMPARED = 4;

/** The `jobs` query parameter ("1,2,3") as job ids, or the reason it is not a valid comparison. */
export function parseCompareIds(raw: string): { ids: string[] } | { error: string } {
  const parts = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = parts.find((p) => !/^\d+$/.test(p));
  if (bad !== undefined) return { error: `jobs: "${bad}" is not a job id (a whole number).` };
  const ids = parts.map((p) => BigInt(p).toString());
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) return { error: `jobs: job #${dup} is named twice.` };
  if (ids.length < MIN_COMPARED || ids.length > MAX_COMPARED) {
    return { error: `jobs: name ${MIN_COMPARED} to ${MAX_COMPARED} jobs to compare (got ${ids.length}), e.g. ?jobs=1,2.` };
  }
  return { ids };
}

export function compareHref(ids: string[]): string {
  return `/compare?jobs=${ids.join(",")}`;
}

/** Leaves of a JSON value as dotted paths ("hyperparameters.lora.rank"); arrays are one leaf. */
function leaves(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) {
    out.set(prefix, typeof value === "string" ? value : JSON.stringify(value));
  }
}

export type SpecDifference = { field: string; values: (string | null)[] };

/**
 * The spec fields whose values are not the same in every spec, in the order they first appear;
 * a field one spec lacks (an optional one, or a spec that could not be read: null) counts as a
 * difference, shown as null. `schema` is left out: every valid spec has the same.
 */
export function specDifferences(specs: (TrainingSpec | null)[]): SpecDifference[] {
  const flat = specs.map((s) => {
    const m = new Map<string, string>();
    if (s) leaves(s, "", m);
    return m;
  });
  const fields: string[] = [];
  for (const m of flat) for (const k of m.keys()) if (k !== "schema" && !fields.includes(k)) fields.push(k);
  return fields
    .map((field) => ({ field, values: flat.map((m) => m.get(field) ?? null) }))
    .filter((d) => d.values.some((v) => v !== d.values[0]));
}

export type CompareMetrics = {
  perplexity: number;
  bleu: number | null;
  rougeL: number | null;
  peakMemoryBytes: number;
  seconds: number;
  trainTokens: number;
  bestStep: number | null;
};

/** What the comparison table shows of one report: the tuned model's quality and the run's cost. */
export function compareMetrics(r: EvaluationReport): CompareMetrics {
  return {
    perplexity: r.perplexity.tuned,
    bleu: r.bleu.tuned,
    rougeL: r.rouge.tuned?.rougeL ?? null,
    peakMemoryBytes: r.memory.measuredPeakBytes,
    seconds: r.training.seconds,
    trainTokens: r.training.trainTokens,
    bestStep: r.training.best?.step ?? null,
  };
}

export type SampleRow = { prompt: string; reference: string; answers: (string | null)[] };

/**
 * Sample answers side by side: one row per prompt (in the order the reports first show them),
 * each job's tuned answer to it, or null where that job's report has no sample of that prompt
 * (different Datanets hold out different records).
 */
export function sampleRows(reports: (EvaluationReport | null)[]): SampleRow[] {
  const rows: SampleRow[] = [];
  reports.forEach((r, j) => {
    for (const s of r?.samples ?? []) {
      let row = rows.find((x) => x.prompt === s.prompt);
      if (!row) {
        row = { prompt: s.prompt, reference: s.reference, answers: reports.map(() => null) };
        rows.push(row);
      }
      if (row.answers[j] === null) row.answers[j] = s.tuned;
    }
  });
  return rows;
}
