// The demo fine-tuning job of `npm run dev`, followed as one progress line: its phase, and
// while it trains the share of steps done, the loss and the time left. Redrawn in place on a
// terminal; elsewhere (a log, CI) written again only when the phase or the tenth changes.
import type { JobSummary } from "@modelfactory/sdk";
import type { DevConsole } from "./dev-console.ts";

export type JobLine = { text: string /** Changes when a non-TTY reader should get a new line. */; milestone: string };

const duration = (s: number) =>
  s >= 3600
    ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
    : s >= 60
      ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
      : `${Math.round(s)} s`;

/** The progress line of a job, and the milestone (phase and tenth of the steps) it belongs to. */
export function describeJob(job: Pick<JobSummary, "jobId" | "phase" | "progress">, elapsedSeconds: number): JobLine {
  const head = `demo job #${job.jobId}: ${job.phase}`;
  const p = job.progress;
  if (job.phase === "training" && p && p.totalSteps > 0) {
    const share = Math.min(1, p.step / p.totalSteps);
    const tenth = Math.floor(share * 10);
    const eta = Number.isFinite(p.etaSeconds) && p.etaSeconds > 0 ? `, about ${duration(p.etaSeconds)} left` : "";
    return {
      text: `${head} ${Math.round(share * 100)} % (step ${p.step}/${p.totalSteps}, loss ${p.loss.toFixed(3)}${eta})`,
      milestone: `training:${tenth}`,
    };
  }
  return { text: `${head} (${duration(elapsedSeconds)} since start)`, milestone: job.phase };
}

/** Follows job `jobId` until it completes, fails or `stopped()` says so; one line at the end. */
export async function followDemoJob(
  out: DevConsole,
  trainerUrl: string,
  guiUrl: string,
  stopped: () => boolean,
  jobId = "1",
): Promise<void> {
  const started = performance.now();
  let milestone = "";
  while (!stopped()) {
    const job = (await fetch(`${trainerUrl}/v1/jobs/${jobId}`)
      .then((r) => (r.ok ? r.json() : undefined))
      .catch(() => undefined)) as JobSummary | undefined;
    const seconds = (performance.now() - started) / 1000;
    if (job?.phase === "completed") {
      out.endProgress();
      out.line(`✔ Demo model #${job.modelId} is ready after ${duration(seconds)}: chat with it at ${guiUrl}/chat/${job.modelId}`);
      return;
    }
    if (job?.phase === "failed" || job?.phase === "cancelled") {
      out.endProgress();
      out.line(`✖ The demo job ${job.phase}: ${job.failureReason ?? "no reason given"}`);
      await out.explain("trainer", 15);
      return;
    }
    if (job) {
      const line = describeJob(job, seconds);
      if (out.liveProgress || line.milestone !== milestone) out.progress(line.text);
      milestone = line.milestone;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
