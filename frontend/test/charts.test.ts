import { describe, expect, it } from "vitest";
import type { JobEvent } from "@modelfactory/sdk";
import { downsample, extent, linePath, linear, ticks } from "../src/charts/scale.ts";
import { applyJobEvent, emptyJobStream, jobSeries, progressSummary } from "../src/data/job-stream.ts";

const progress = (seq: number, step: number, loss: number): JobEvent => ({
  type: "progress",
  seq,
  at: seq * 1000,
  step,
  totalSteps: 10,
  epoch: step / 10,
  loss,
  learningRate: 1e-4,
  gradNorm: 1,
  tokensPerSecond: 100,
  mfu: 0.1,
  memoryBytes: 2 ** 20 * 64,
  etaSeconds: (10 - step) * 2,
});

describe("chart scales", () => {
  it("pads extents and handles flat or empty data", () => {
    expect(extent([])).toEqual([0, 1]);
    expect(extent([2, 2])).toEqual([1.8, 2.2]);
    const [lo, hi] = extent([0, 10]);
    expect(lo).toBeLessThan(0);
    expect(hi).toBeGreaterThan(10);
  });
  it("makes round ticks", () => {
    expect(ticks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0, 100, 4)).toEqual([0, 25, 50, 75, 100]);
  });
  it("downsamples long series keeping the ends", () => {
    const pts = Array.from({ length: 10_000 }, (_, i) => ({ x: i, y: Math.sin(i) }));
    const out = downsample(pts, 200);
    expect(out).toHaveLength(200);
    expect(out[0]).toEqual(pts[0]);
    expect(out[199]).toEqual(pts[9999]);
  });
  it("breaks lines at missing values", () => {
    const s = linear([0, 10], [0, 100]);
    expect(
      linePath(
        [
          { x: 0, y: 0 },
          { x: 1, y: NaN },
          { x: 2, y: 2 },
          { x: 3, y: 3 },
        ],
        s,
        s,
      ),
    ).toBe("M0.0,0.0M20.0,20.0L30.0,30.0");
  });
});

describe("job stream", () => {
  it("applies each event once, even when a reconnect replays history", () => {
    let s = emptyJobStream();
    const events: JobEvent[] = [
      { type: "state", seq: 1, at: 1, phase: "training" },
      progress(2, 1, 3.2),
      progress(3, 2, 2.9),
      { type: "eval", seq: 4, at: 4, step: 2, evalLoss: 3.0 },
      { type: "log", seq: 5, at: 5, level: "info", message: "step 2" },
    ];
    for (const e of events) s = applyJobEvent(s, e);
    for (const e of events.slice(1)) s = applyJobEvent(s, e); // replayed after Last-Event-ID
    expect(s.progress).toHaveLength(2);
    expect(s.evals).toHaveLength(1);
    expect(s.logs).toHaveLength(1);
    expect(s.lastSeq).toBe(5);
    expect(s.phase).toBe("training");
  });
  it("keeps steps ordered when events arrive out of order, and summarises progress", () => {
    let s = emptyJobStream();
    s = applyJobEvent(s, progress(3, 4, 2.5));
    s = applyJobEvent(s, progress(2, 2, 2.9));
    expect(s.progress.map((p) => p.step)).toEqual([2, 4]);
    expect(progressSummary(s)).toEqual({ fraction: 0.4, etaSeconds: 12, step: 4, totalSteps: 10 });
    const series = jobSeries(s);
    expect(series.loss).toEqual([
      { x: 2, y: 2.9 },
      { x: 4, y: 2.5 },
    ]);
    expect(series.memory[0]!.y).toBe(64);
  });
  it("reports no progress before any event", () => {
    expect(progressSummary(emptyJobStream())).toEqual({ fraction: 0, etaSeconds: null, step: 0, totalSteps: 0 });
  });
});
