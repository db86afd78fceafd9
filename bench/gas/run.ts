// `npm run bench -- gas`: measures every operation, writes bench/results/gas.json, prints a
// table against the budgets and the store-and-emit reference, and compares with the committed
// snapshot. GAS_SNAPSHOT_UPDATE=1 (or `npm run bench -- gas --update`) rewrites the snapshot.
import { network } from "hardhat";
import { GAS_BUDGETS, measureGas, type GasOperation } from "./measure.ts";
import { gasProblems, readSnapshot, writeSnapshot } from "./snapshot.ts";
import { writeSuiteResult, type Metric } from "../lib/results.ts";

const { viem } = await network.create();
const measured = await measureGas(viem);
const ref = measured.referenceStoreAndEmit;
const metrics: Record<string, Metric> = {};
for (const [op, value] of Object.entries(measured)) {
  metrics[op] = { value, unit: op.startsWith("attributionPerCitation") ? "gas/citation" : "gas", better: "lower" };
}
metrics.contributeVsStoreAndEmit = { value: +(measured.contributeOpen / ref).toFixed(3), unit: "ratio", better: "lower" };
const snapshot = await readSnapshot().catch(() => ({}) as Record<string, number>);
await writeSuiteResult("gas", metrics, {
  reference: "StoreAndEmit: one new bytes32 slot + one event, measured in the same run",
  budgets: GAS_BUDGETS,
});

console.log("\noperation                 gas      budget   snapshot");
for (const [op, value] of Object.entries(measured) as [GasOperation, number][]) {
  const budget = GAS_BUDGETS[op];
  console.log(
    `${op.padEnd(24)} ${String(value).padStart(8)} ${String(budget ?? "").padStart(8)} ${String(snapshot[op] ?? "-").padStart(9)}`,
  );
}
console.log(`contribute / store-and-emit reference: ${(measured.contributeOpen / ref).toFixed(2)}×`);

if (process.env.GAS_SNAPSHOT_UPDATE === "1") {
  await writeSnapshot(measured);
  console.log("gas snapshot updated: bench/gas/snapshot.json");
} else {
  const problems = gasProblems(measured, snapshot);
  if (problems.length) {
    console.error("\n" + problems.join("\n"));
    process.exitCode = 1;
  }
}
