// Writes bench/results/<suite>.json in the shared format and describes the machine, so that
// every suite's figures can be compared side by side.
import { mkdir, writeFile } from "node:fs/promises";
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
