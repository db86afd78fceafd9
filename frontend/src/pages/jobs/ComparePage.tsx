// Run comparison (/compare?jobs=1,2,3; the URL is the shareable state): two to four jobs' curves
// overlaid from their trainer nodes' event streams, a metrics table from their evaluation
// reports, the spec fields that differ, and their sample answers side by side.
import { describeError } from "@modelfactory/sdk";
import { LineChart } from "../../charts/LineChart.tsx";
import { useEvaluation } from "../../data/hooks/useEvaluation.ts";
import { useJob } from "../../data/hooks/useJob.ts";
import { useJobSpec } from "../../data/hooks/useJobSpec.ts";
import { useModel } from "../../data/hooks/useModel.ts";
import { Link, useSearchParam } from "../../router/router.tsx";
import { PageHeader } from "../../ui/bits.tsx";
import { Empty } from "../../ui/states.tsx";
import { compareMetrics, parseCompareIds, sampleRows, specDifferences } from "./compare.ts";
import { MetricsTable, SamplesSideBySide, SpecDifferencesTable, type ComparedColumn } from "./CompareTables.tsx";
import { jobSeries } from "../../data/job-stream.ts";
import { useJobEvents } from "../../data/hooks/useJobEvents.ts";
import { useJobNode } from "../../data/hooks/useJobNode.ts";

const COLORS = ["#2f5bea", "#e0672b", "#137a43", "#7a3fd1"];

/** Everything the comparison needs of one job. */
function useComparedJob(id: string) {
  const job = useJob(id);
  const node = useJobNode(job.data);
  const { state } = useJobEvents(node, id);
  const modelId = job.data?.model?.id ?? "";
  const model = useModel(modelId);
  const report = useEvaluation(id, node, model.data?.metricsURI ?? null);
  const spec = useJobSpec(job.data?.specURI);
  const missing = job.isPending
    ? "loading…"
    : !job.data
      ? "not indexed"
      : !modelId
        ? "no model yet"
        : report.isPending
          ? "loading…"
          : report.error
            ? describeError(report.error)
            : "";
  return {
    id,
    series: jobSeries(state),
    report: modelId ? (report.data ?? null) : null,
    spec: spec.data ?? null,
    specError: spec.error,
    missing,
  };
}

/**
 * Keyed by the id list, so it mounts afresh when the URL names other jobs: the number of
 * useComparedJob calls is then fixed for the component's life, which is what hooks require.
 */
function Comparison({ ids }: { ids: string[] }) {
  // eslint-disable-next-line react-hooks/rules-of-hooks -- fixed count per mount (see above)
  const jobs = ids.map((id) => useComparedJob(id));
  const columns: ComparedColumn[] = ids.map((id, i) => ({ id, color: COLORS[i % COLORS.length]! }));
  const overlay = (pick: (s: ReturnType<typeof jobSeries>) => { x: number; y: number }[]) =>
    jobs.map((j, i) => ({ name: `job #${j.id}`, color: columns[i]!.color, points: pick(j.series) }));
  const specErrors = jobs.filter((j) => j.specError);
  return (
    <>
      <div className="cols-2" data-testid="compare-charts">
        <LineChart title="Loss" series={overlay((s) => s.loss)} />
        <LineChart title="Eval loss" series={overlay((s) => s.evalLoss)} />
        <LineChart title="Learning rate" series={overlay((s) => s.learningRate)} yFormat={(v) => v.toExponential(1)} />
        <LineChart title="Throughput (tokens/s)" series={overlay((s) => s.tokensPerSecond)} />
        <LineChart title="Memory (MiB)" series={overlay((s) => s.memory)} />
      </div>
      <section className="panel">
        <h2>Metrics</h2>
        <MetricsTable
          jobs={columns}
          metrics={jobs.map((j) => (j.report ? compareMetrics(j.report) : null))}
          missing={jobs.map((j) => j.missing)}
        />
      </section>
      <section className="panel">
        <h2>Spec differences</h2>
        {specErrors.map((j) => (
          <p key={j.id} className="field-error">
            Job #{j.id}'s spec could not be read: {describeError(j.specError)}
          </p>
        ))}
        <SpecDifferencesTable jobs={columns} differences={specDifferences(jobs.map((j) => j.spec))} />
      </section>
      <section className="panel">
        <h2>Sample answers (tuned)</h2>
        <SamplesSideBySide jobs={columns} rows={sampleRows(jobs.map((j) => j.report))} />
      </section>
    </>
  );
}

export default function ComparePage() {
  const [raw] = useSearchParam("jobs");
  const parsed = parseCompareIds(raw);
  if ("error" in parsed)
    return (
      <Empty title="Nothing to compare.">
        {parsed.error} <Link to="/jobs">Pick jobs from the list.</Link>
      </Empty>
    );
  return (
    <>
      <PageHeader
        title={`Compare jobs ${parsed.ids.map((id) => `#${id}`).join(", ")}`}
        subtitle={<>Share this page's address to show the same comparison.</>}
      >
        <Link className="btn" to="/jobs">
          Back to jobs
        </Link>
      </PageHeader>
      <Comparison key={parsed.ids.join(",")} ids={parsed.ids} />
    </>
  );
}
