// The live job dashboard: progress with ETA, phase timeline, loss / eval loss / learning rate
// / throughput / memory charts, log tail, cancel; a failed or cancelled job's builder may continue
// it from its checkpoint. Reconnects without losing history.
import { useAccount } from "wagmi";
import { LineChart } from "../../charts/LineChart.tsx";
import { useJob } from "../../data/hooks/useJob.ts";
import type { TrainingJobEntity } from "../../data/types.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { trainerApi } from "../../lib/trainer-api.ts";
import { Link, useParams } from "../../router/router.tsx";
import { Badge, Hash, PageHeader, ProgressBar, StatusBadge } from "../../ui/bits.tsx";
import { formatDuration, formatNumber, formatTime } from "../../ui/format.ts";
import { Empty, ErrorState, Loading } from "../../ui/states.tsx";
import { useToasts } from "../../ui/toasts.tsx";
import { useCancelTrainingJob } from "../../data/hooks/useCancelTrainingJob.ts";
import { useTrainerSession } from "../../wallet/use-trainer-session.ts";
import { jobSeries, PHASE_ORDER, progressSummary } from "../../data/job-stream.ts";
import { useJobEvents } from "../../data/hooks/useJobEvents.ts";
import { useJobNode } from "../../data/hooks/useJobNode.ts";

/** A failed or cancelled job that a trainer node ran (and so may hold a checkpoint of). */
export function canContinue(j: Pick<TrainingJobEntity, "state" | "trainer">): boolean {
  return (j.state === "Failed" || j.state === "Cancelled") && !!j.trainer?.endpoint;
}

export default function JobPage() {
  const { id = "" } = useParams();
  const job = useJob(id);
  const node = useJobNode(job.data);
  const { state, status } = useJobEvents(node, id);
  const { address } = useAccount();
  const cancelJob = useCancelTrainingJob();
  const toasts = useToasts();
  const session = useTrainerSession(node);
  if (job.isPending) return <Loading label="Loading job…" />;
  if (job.error) return <ErrorState error={job.error} retry={() => void job.refetch()} />;
  const j = job.data;
  if (!j) return <Empty title={`Job #${id} is not indexed yet.`}>It appears a few seconds after its transaction.</Empty>;
  const summary = progressSummary(state);
  const series = jobSeries(state);
  const phase =
    state.phase ?? (j.state === "Open" ? "created" : j.state === "Claimed" ? "claimed" : j.state === "Completed" ? "completed" : "failed");
  const reachedIndex = PHASE_ORDER.indexOf(phase);
  const failed = phase === "failed" || phase === "cancelled";
  const isBuilder = address?.toLowerCase() === j.builder.id.toLowerCase();
  const cancel = async () => {
    if (j.state === "Open") return void cancelJob.mutateAsync({ jobId: id }).catch(() => {});
    if (!node) return;
    try {
      const token = session.token ?? (await session.signIn());
      await trainerApi.cancel(node, id, token);
      toasts.show({ kind: "info", title: `Stopping job #${id}`, body: "The trainer stops within a step and fails the job on chain." });
    } catch (e) {
      toasts.show({ kind: "error", title: "Could not cancel", body: errorSentence(e) });
    }
  };
  const last = state.progress[state.progress.length - 1];
  // The lowest held-out loss so far: the weights the node will publish (unless a later one beats it).
  const best = state.evals.reduce<(typeof state.evals)[number] | null>(
    (b, e) => (Number.isFinite(e.evalLoss) && (!b || e.evalLoss < b.evalLoss) ? e : b),
    null,
  );
  const failure = j.failureReason ?? state.phases.findLast((p) => p.phase === "failed" || p.phase === "cancelled")?.message;
  return (
    <>
      <PageHeader
        title={`Job #${j.id}`}
        subtitle={
          <>
            On Datanets {j.datanets.map((d) => `#${d.id}`).join(", ")} · created {formatTime(j.createdAt)}
          </>
        }
      >
        <StatusBadge status={j.state} />
        {j.model ? (
          <Link className="btn btn-primary" to={`/jobs/${j.id}/report`}>
            Evaluation report
          </Link>
        ) : null}
        {j.model ? (
          <Link className="btn" to={`/chat/${j.model.id}`}>
            Chat with model #{j.model.id}
          </Link>
        ) : null}
        {isBuilder && (j.state === "Open" || j.state === "Claimed") ? (
          <button className="btn btn-danger" onClick={() => void cancel()}>
            Cancel job
          </button>
        ) : null}
        {isBuilder && canContinue(j) ? (
          <Link
            className="btn btn-primary"
            to={`/train?continue=${j.id}`}
            title="A new job that trains on from this one's last checkpoint, on the node that ran it"
          >
            Continue from checkpoint
          </Link>
        ) : null}
      </PageHeader>
      <section className="panel" data-testid="job-progress">
        <div className="row">
          <strong>{phase}</strong>
          <span className="hint">
            step {summary.step} / {summary.totalSteps || "?"}{" "}
            {summary.etaSeconds !== null && !failed && phase !== "completed" ? `· about ${formatDuration(summary.etaSeconds)} left` : ""}
          </span>
          <span className="spacer" />
          <Badge tone={status === "open" ? "good" : status === "reconnecting" ? "warn" : "neutral"}>
            {node ? (status === "open" ? "live" : status === "reconnecting" ? "reconnecting…" : status) : "no trainer node"}
          </Badge>
        </div>
        <ProgressBar value={phase === "completed" ? 1 : summary.fraction} label="Training progress" />
        <ol className="timeline" aria-label="Phases" style={{ marginTop: ".75rem" }}>
          {PHASE_ORDER.map((p, i) => {
            const when = state.phases.find((x) => x.phase === p);
            return (
              <li key={p} className={p === phase && !failed ? "current" : i <= reachedIndex || when ? "reached" : ""}>
                {p} {when ? <span>· {new Date(when.at).toLocaleTimeString()}</span> : null}
              </li>
            );
          })}
          {failed ? (
            <li className="failed">
              {phase}
              {failure ? `: ${failure}` : ""}
            </li>
          ) : null}
        </ol>
        {last ? (
          <div className="stats">
            <div className="stat">
              <b>{formatNumber(last.loss, 4)}</b>
              <span>loss</span>
            </div>
            <div className="stat">
              <b>{last.epoch.toFixed(2)}</b>
              <span>epoch</span>
            </div>
            <div className="stat">
              <b>{formatNumber(last.tokensPerSecond)}</b>
              <span>tokens/s</span>
            </div>
            <div className="stat">
              <b>{(last.mfu * 100).toFixed(1)}%</b>
              <span>MFU</span>
            </div>
            <div className="stat">
              <b>{formatNumber(last.gradNorm, 3)}</b>
              <span>grad norm</span>
            </div>
            {best ? (
              <div className="stat" data-testid="best-eval">
                <b>{formatNumber(best.evalLoss, 4)}</b>
                <span>best eval loss (step {best.step})</span>
              </div>
            ) : null}
          </div>
        ) : null}
      </section>
      <div className="cols-2">
        <LineChart
          title="Loss"
          series={[
            { name: "train", color: "#2f5bea", points: series.loss },
            { name: "eval", color: "#e0672b", points: series.evalLoss },
          ]}
        />
        <LineChart
          title="Learning rate"
          series={[{ name: "lr", color: "#7a3fd1", points: series.learningRate }]}
          yFormat={(v) => v.toExponential(1)}
        />
        <LineChart title="Throughput (tokens/s)" series={[{ name: "tokens/s", color: "#137a43", points: series.tokensPerSecond }]} />
        <LineChart title="Memory (MiB)" series={[{ name: "memory", color: "#a25b00", points: series.memory }]} />
      </div>
      <section className="panel">
        <h2>Log</h2>
        <div className="log" role="log" aria-live="off" data-testid="job-log">
          {state.logs.length === 0
            ? "No log lines yet."
            : state.logs.slice(-200).map((l) => (
                <div key={l.seq} className={l.level}>
                  {new Date(l.at).toLocaleTimeString()} {l.level.toUpperCase()} {l.message}
                </div>
              ))}
        </div>
      </section>
      <section className="panel">
        <h2>On chain</h2>
        <dl className="kv">
          <dt>Spec</dt>
          <dd className="mono">{j.specURI}</dd>
          <dt>Spec hash</dt>
          <dd>
            <Hash value={j.specHash} />
          </dd>
          <dt>Data snapshot block</dt>
          <dd>{j.snapshotBlock}</dd>
          <dt>Created in</dt>
          <dd>
            <Hash value={j.createdTx} />
          </dd>
        </dl>
      </section>
    </>
  );
}
