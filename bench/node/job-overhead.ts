// Hook for the "end-to-end job overhead" metric (time a tiny job spends outside the worker:
// claim, snapshot, fetch and verify, publish, completeJob). Filled in with the job runner;
// until then it reports nothing and run.ts leaves the metric out.
import type { Metric } from "../lib/results.ts";

export async function measureJobOverhead(): Promise<Record<string, Metric> | null> {
  return null;
}
