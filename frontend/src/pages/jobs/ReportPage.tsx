// The evaluation report: base vs tuned (perplexity, BLEU, ROUGE), memory (measured; LoRA vs
// QLoRA vs full for this model and 7B), training summary, per-contribution data insights, sample
// answers side by side, downloads, and the training manifest checked against its on-chain root.
import { describeError, type EvaluationReport } from "@modelfactory/sdk";
import { BarChart } from "../../charts/BarChart.tsx";
import { useEvaluation } from "../../data/hooks/useEvaluation.ts";
import { useJob } from "../../data/hooks/useJob.ts";
import { useManifest } from "../../data/hooks/useManifest.ts";
import { useModel } from "../../data/hooks/useModel.ts";
import { Link, useParams } from "../../router/router.tsx";
import { Badge, Hash, PageHeader } from "../../ui/bits.tsx";
import { formatBytes, formatDuration, formatNumber } from "../../ui/format.ts";
import { Empty, ErrorState, Loading, QueryView } from "../../ui/states.tsx";
import { AdapterDownload, ExportPanel } from "./ExportPanel.tsx";
import { useJobNode } from "../../data/hooks/useJobNode.ts";
import { PrivateSamples, SealedAdapterDownload } from "./SealedArtifacts.tsx";
import { SampleAnswer } from "./SampleAnswer.tsx";
import { DataInsightsTable } from "./DataInsights.tsx";
import { InfluenceProbe } from "./InfluenceProbe.tsx";
import { saveFile } from "../../lib/save-file.ts";

const BASE = "#9aa3b8";
const TUNED = "#2f5bea";

export function qualityRows(r: EvaluationReport) {
  const rows = [
    { metric: "Perplexity (lower is better)", base: r.perplexity.base, tuned: r.perplexity.tuned, better: "lower" as const },
    { metric: "BLEU", base: r.bleu.base, tuned: r.bleu.tuned, better: "higher" as const },
    { metric: "ROUGE-1", base: r.rouge.base?.rouge1 ?? null, tuned: r.rouge.tuned?.rouge1 ?? null, better: "higher" as const },
    { metric: "ROUGE-2", base: r.rouge.base?.rouge2 ?? null, tuned: r.rouge.tuned?.rouge2 ?? null, better: "higher" as const },
    { metric: "ROUGE-L", base: r.rouge.base?.rougeL ?? null, tuned: r.rouge.tuned?.rougeL ?? null, better: "higher" as const },
  ];
  // BLEU and ROUGE are null when no held-out record had a reference answer to score: no row then.
  return rows.filter((row): row is (typeof rows)[number] & { base: number; tuned: number } => row.base !== null && row.tuned !== null);
}

/** The report's `training.compute` in words: bf16 autocast keeps float32 weights. */
export function computeLabel(compute: string): string {
  if (compute === "bf16-autocast") return "bf16 matmuls (autocast), float32 weights and optimizer";
  if (compute === "fp32") return "float32";
  return compute;
}

/** Full vs LoRA vs QLoRA for one model, in the unit that suits its size. */
function MemoryChart({ title, estimate }: { title: string; estimate: EvaluationReport["memory"]["thisModel"] }) {
  const max = Math.max(estimate.full, estimate.lora, estimate.qlora);
  const [div, unit] = max >= 2 ** 30 ? [2 ** 30, "GiB"] : max >= 2 ** 20 ? [2 ** 20, "MiB"] : [2 ** 10, "KiB"];
  return (
    <BarChart
      title={`${title}, ${unit}`}
      format={(v) => (v >= 10 ? v.toFixed(0) : v.toFixed(1))}
      groups={[
        {
          label: "method",
          values: [
            { name: "full", value: estimate.full / div, color: "#b42318" },
            { name: "LoRA", value: estimate.lora / div, color: TUNED },
            { name: "QLoRA", value: estimate.qlora / div, color: "#137a43" },
          ],
        },
      ]}
      height={160}
    />
  );
}

function Manifest({
  node,
  jobId,
  root,
  manifestURI,
}: {
  node: string | null;
  jobId: string;
  root: string | null;
  manifestURI: string | null;
}) {
  const q = useManifest(jobId, node, manifestURI);
  const m = q.data;
  return (
    <section className="panel">
      <h2>Training manifest</h2>
      <dl className="kv">
        <dt>On-chain root</dt>
        <dd>{root ? <Hash value={root} /> : "not registered yet"}</dd>
        <dt>Recomputed here</dt>
        <dd>
          {m ? (
            <Hash value={m.root} />
          ) : q.isPending && q.fetchStatus !== "idle" ? (
            "…"
          ) : q.error ? (
            <span className="field-error">{describeError(q.error)}</span>
          ) : (
            "manifest unavailable"
          )}{" "}
          {m && root ? (
            m.root.toLowerCase() === root.toLowerCase() ? (
              <Badge tone="good">matches the chain</Badge>
            ) : (
              <Badge tone="bad">does not match</Badge>
            )
          ) : null}
        </dd>
        <dt>Read from</dt>
        <dd className="mono">{manifestURI ?? (node ? `${node} (trainer node)` : "–")}</dd>
        <dt>Contributions</dt>
        <dd>{m ? m.contributions.map((c) => `#${c.contributionId}`).join(", ") || "none" : "–"}</dd>
        {m?.continuedFrom ? (
          <>
            <dt>Continued from</dt>
            <dd data-testid="continued-from">
              <Link to={`/jobs/${m.continuedFrom.jobId}`}>job #{m.continuedFrom.jobId}</Link>, from its checkpoint at step{" "}
              {m.continuedFrom.step}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

export default function ReportPage() {
  const { id = "" } = useParams();
  const job = useJob(id);
  const model = useModel(job.data?.model?.id ?? "");
  const node = useJobNode(job.data);
  const report = useEvaluation(id, node, model.data?.metricsURI ?? null);
  if (job.isPending) return <Loading />;
  if (job.error) return <ErrorState error={job.error} />;
  if (!job.data?.model)
    return (
      <Empty title={`Job #${id} has no model yet.`}>
        <Link to={`/jobs/${id}`}>Follow its progress.</Link>
      </Empty>
    );
  const modelId = job.data.model.id;
  // Trained on permissioned data: the report names its sealed samples, and the adapter is sealed too.
  const sealed =
    report.data?.privateSamples && model.data
      ? { id: modelId, builder: model.data.builder.id, datanetIds: model.data.datanets.map((d) => d.id) }
      : null;
  return (
    <>
      <PageHeader
        title={`Evaluation of model #${modelId}`}
        subtitle={
          <>
            From job #{id} · <Link to={`/explore/model/${modelId}`}>attribution</Link>
          </>
        }
      >
        <Link className="btn btn-primary" to={`/chat/${modelId}`}>
          Chat with it
        </Link>
        {sealed ? (
          <SealedAdapterDownload model={sealed} cid={model.data!.adapterCID} />
        ) : node ? (
          <AdapterDownload node={node} modelId={modelId} />
        ) : null}
        {report.data ? (
          <button
            className="btn"
            onClick={() =>
              saveFile(`metrics-job-${id}.json`, new Blob([JSON.stringify(report.data, null, 2)], { type: "application/json" }))
            }
          >
            Download metrics
          </button>
        ) : null}
      </PageHeader>
      <QueryView query={report} loading="Loading the evaluation…">
        {(r) => {
          const rows = qualityRows(r);
          const mem = r.memory;
          return (
            <>
              <div className="cols-2">
                <BarChart
                  title="Perplexity (lower is better)"
                  groups={[
                    {
                      label: "perplexity",
                      values: [
                        { name: "base", value: r.perplexity.base, color: BASE },
                        { name: "tuned", value: r.perplexity.tuned, color: TUNED },
                      ],
                    },
                  ]}
                />
                <BarChart
                  title="BLEU and ROUGE (higher is better)"
                  groups={rows.slice(1).map((row) => ({
                    label: row.metric,
                    values: [
                      { name: "base", value: row.base, color: BASE },
                      { name: "tuned", value: row.tuned, color: TUNED },
                    ],
                  }))}
                />
              </div>
              <section className="panel">
                <h2>Quality</h2>
                <table className="table" data-testid="quality-table">
                  <thead>
                    <tr>
                      <th>Metric</th>
                      <th className="num">Base</th>
                      <th className="num">Tuned</th>
                      <th className="num">Change</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row) => {
                      const delta = row.tuned - row.base;
                      const good = row.better === "lower" ? delta < 0 : delta > 0;
                      return (
                        <tr key={row.metric}>
                          <td>{row.metric}</td>
                          <td className="num">{formatNumber(row.base, 4)}</td>
                          <td className="num">{formatNumber(row.tuned, 4)}</td>
                          <td className="num">
                            <span className={delta === 0 ? "hint" : good ? "verify-ok" : "verify-bad"}>
                              {delta > 0 ? "+" : ""}
                              {formatNumber(delta, 3)}
                            </span>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </section>
              <div className="cols-2">
                <div>
                  <MemoryChart
                    title={`Memory to fine-tune this model (${formatNumber(mem.thisModel.parameters)} parameters)`}
                    estimate={mem.thisModel}
                  />
                  <MemoryChart title="Memory to fine-tune a 7B model" estimate={mem.sevenB} />
                </div>
                <section className="panel">
                  <h2>Memory measured</h2>
                  <dl className="kv">
                    <dt>Device</dt>
                    <dd>{mem.device.toUpperCase()}</dd>
                    <dt>Peak</dt>
                    <dd>{formatBytes(mem.measuredPeakBytes)}</dd>
                    <dt>Parameters</dt>
                    <dd>{formatBytes(mem.breakdown.parameters)}</dd>
                    <dt>Trainable</dt>
                    <dd>{formatBytes(mem.breakdown.trainable)}</dd>
                    <dt>Optimizer</dt>
                    <dd>{formatBytes(mem.breakdown.optimizer)}</dd>
                    <dt>Activations</dt>
                    <dd>{formatBytes(mem.breakdown.activations)}</dd>
                    <dt>Bits / parameter</dt>
                    <dd>{formatNumber(mem.bitsPerParameter, 3)}</dd>
                  </dl>
                  <h3>Training</h3>
                  <dl className="kv">
                    <dt>Method</dt>
                    <dd>
                      {r.method.toUpperCase()} on {r.baseModel}
                    </dd>
                    <dt>Steps / epochs</dt>
                    <dd>
                      {r.training.steps} / {r.training.epochs}
                    </dd>
                    <dt>Tokens</dt>
                    <dd>
                      {formatNumber(r.training.trainTokens)} at {formatNumber(r.training.tokensPerSecond)} tokens/s
                    </dd>
                    <dt>Time</dt>
                    <dd>{formatDuration(r.training.seconds)}</dd>
                    {r.training.compute ? (
                      <>
                        <dt>Computed in</dt>
                        <dd data-testid="training-compute">{computeLabel(r.training.compute)}</dd>
                      </>
                    ) : null}
                    <dt>Final loss</dt>
                    <dd>
                      {formatNumber(r.training.finalLoss, 4)}
                      {r.training.finalEvalLoss !== null ? ` (eval ${formatNumber(r.training.finalEvalLoss, 4)})` : ""}
                    </dd>
                    {r.training.best ? (
                      <>
                        <dt>Published checkpoint</dt>
                        <dd data-testid="best-checkpoint">
                          step {r.training.best.step}
                          {r.training.best.stoppedEarly ? " (stopped early)" : ""}: {r.training.best.reason}
                        </dd>
                      </>
                    ) : null}
                    <dt>Data</dt>
                    <dd>
                      {r.counts.contributions} contributions · {r.counts.trainRecords} train / {r.counts.evalRecords} held-out records
                    </dd>
                    {r.split ? (
                      <>
                        <dt>Held out</dt>
                        <dd>{r.split.description}</dd>
                      </>
                    ) : null}
                  </dl>
                </section>
              </div>
              {r.dataInsights ? (
                <section className="panel" data-testid="data-insights">
                  <h2>Data insights: which contributions trained worst</h2>
                  <DataInsightsTable insights={r.dataInsights} />
                </section>
              ) : null}
              {r.trainingInfluenceProbe ? (
                <section className="panel" data-testid="influence-probe">
                  <h2>Training attribution, probed on held-out questions</h2>
                  <InfluenceProbe probe={r.trainingInfluenceProbe} />
                </section>
              ) : null}
              <section className="panel">
                <h2>Sample answers</h2>
                {r.samples.length === 0 ? <Empty title={r.samplesWithheld ?? "No samples in this report."} /> : null}
                {sealed && r.privateSamples ? <PrivateSamples model={sealed} jobId={id} part={r.privateSamples} /> : null}
                {r.samples.map((s, i) => (
                  <SampleAnswer key={i} sample={s} index={i} />
                ))}
              </section>
            </>
          );
        }}
      </QueryView>
      <ExportPanel node={node} modelId={modelId} />
      <Manifest node={node} jobId={id} root={model.data?.manifestRoot ?? null} manifestURI={model.data?.manifestURI ?? null} />
    </>
  );
}
