// The committed gas snapshot and its comparison rule: an operation may not cost more than
// 2 % over the snapshot unless the snapshot is updated in the same commit.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { GAS_BUDGETS, type GasOperation } from "./measure.ts";

export const SNAPSHOT_FILE = path.resolve(import.meta.dirname, "snapshot.json");
export const TOLERANCE = 0.02;

export async function readSnapshot(): Promise<Record<string, number>> {
  return JSON.parse(await readFile(SNAPSHOT_FILE, "utf8")) as Record<string, number>;
}

export async function writeSnapshot(measured: Record<GasOperation, number>): Promise<void> {
  await writeFile(SNAPSHOT_FILE, JSON.stringify(measured, null, 2) + "\n");
}

/** Every problem with `measured`: increases over the snapshot beyond tolerance, budget overruns. */
export function gasProblems(measured: Record<GasOperation, number>, snapshot: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const [op, value] of Object.entries(measured)) {
    const before = snapshot[op];
    if (before === undefined) problems.push(`${op}: not in the snapshot; run \`npm run bench -- gas --update\``);
    else if (value > before * (1 + TOLERANCE)) {
      problems.push(
        `${op}: ${value} gas is ${(((value - before) / before) * 100).toFixed(1)} % over the snapshot (${before}); update the snapshot in the same commit if intended`,
      );
    }
  }
  for (const [op, budget] of Object.entries(GAS_BUDGETS)) {
    const value = measured[op as GasOperation];
    if (value > budget) problems.push(`${op}: ${value} gas exceeds its budget of ${budget}`);
  }
  return problems;
}
