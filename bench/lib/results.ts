// Writes bench/results/<suite>.json in the shared format and describes the machine, so that
// every suite's figures can be compared side by side.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export type Metric = { value: number; unit: string; better: "lower" | "higher" };

export const RESULTS_DIR = path.resolve(import.meta.dirname, "../results");

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()}-${os.arch()}`,
  };
}

export async function writeSuiteResult(
  suite: string,
  metrics: Record<string, Metric>,
  extra: Record<string, unknown> = {},
): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${suite}.json`);
  await writeFile(file, JSON.stringify({ suite, machine: machine(), date: new Date().toISOString(), metrics, ...extra }, null, 2) + "\n");
  return file;
}

/**
 * The suite's result file as last written, split into its metrics, its date and its other notes
 * (empty when there is none), for a run that re-measures part of a suite and keeps the rest.
 */
export async function readSuiteResult(
  suite: string,
): Promise<{ file: string; metrics: Record<string, Metric>; date: string | undefined; notes: Record<string, unknown> }> {
  const file = path.join(RESULTS_DIR, `${suite}.json`);
  const previous = JSON.parse(await readFile(file, "utf8").catch(() => "{}")) as Record<string, unknown>;
  const { metrics, suite: _suite, machine: _machine, date, ...notes } = previous;
  return { file, metrics: (metrics ?? {}) as Record<string, Metric>, date: date as string | undefined, notes };
}
