// Folding a job's event stream into what the dashboard draws. Pure: events may arrive twice
// (after a reconnect) or out of order, and each is applied once, by sequence number.
import type { JobEvent, JobPhase } from "@modelfactory/sdk";

type Progress = Extract<JobEvent, { type: "progress" }>;
type Log = Extract<JobEvent, { type: "log" }>;

export type JobStreamState = {
  lastSeq: number;
  seen: Set<number>;
  progress: Progress[];
  evals: { step: number; evalLoss: number }[];
  logs: Log[];
  phases: { phase: JobPhase; at: number; message?: string | undefined }[];
  phase: JobPhase | null;
};

export const PHASE_ORDER: JobPhase[] = ["created", "claimed", "preparing", "training", "evaluating", "publishing", "completed"];
export const MAX_LOG_LINES = 500;

export function emptyJobStream(): JobStreamState {
  return { lastSeq: -1, seen: new Set(), progress: [], evals: [], logs: [], phases: [], phase: null };
}

export function applyJobEvent(state: JobStreamState, event: JobEvent): JobStreamState {
  if (state.seen.has(event.seq)) return state;
  const seen = new Set(state.seen).add(event.seq);
  const next: JobStreamState = { ...state, seen, lastSeq: Math.max(state.lastSeq, event.seq) };
  switch (event.type) {
    case "progress": {
      const progress = [...state.progress, event];
      if (progress.length > 1 && progress[progress.length - 2]!.step > event.step) progress.sort((a, b) => a.step - b.step);
      next.progress = progress;
      break;
    }
    case "eval":
      next.evals = [...state.evals, { step: event.step, evalLoss: event.evalLoss }].sort((a, b) => a.step - b.step);
      break;
    case "log":
      next.logs = [...state.logs, event].slice(-MAX_LOG_LINES);
      break;
    case "state":
      next.phases = [...state.phases, { phase: event.phase, at: event.at, message: event.message }];
      next.phase = event.phase;
      break;
  }
  return next;
}

/** The latest progress: fraction done and seconds left. */
export function progressSummary(state: JobStreamState): { fraction: number; etaSeconds: number | null; step: number; totalSteps: number } {
  const last = state.progress[state.progress.length - 1];
  if (!last) return { fraction: state.phase === "completed" ? 1 : 0, etaSeconds: null, step: 0, totalSteps: 0 };
  return {
    fraction: last.totalSteps > 0 ? last.step / last.totalSteps : 0,
    etaSeconds: last.etaSeconds,
    step: last.step,
    totalSteps: last.totalSteps,
  };
}

/** Chart series from the stream. */
export function jobSeries(state: JobStreamState) {
  const p = state.progress;
  return {
    loss: p.map((e) => ({ x: e.step, y: e.loss })),
    evalLoss: state.evals.map((e) => ({ x: e.step, y: e.evalLoss })),
    learningRate: p.map((e) => ({ x: e.step, y: e.learningRate })),
    tokensPerSecond: p.map((e) => ({ x: e.step, y: e.tokensPerSecond })),
    memory: p.map((e) => ({ x: e.step, y: e.memoryBytes / 2 ** 20 })),
  };
}
