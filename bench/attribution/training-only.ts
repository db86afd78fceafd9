// `npm run bench -- attribution-training`: only the training-influence half of the attribution
// suite (training.ts), for re-measuring it without the context half. Its metrics replace the
// training ones in bench/results/attribution.json; the context metrics there are kept, and the
// file says when each half was measured.
import os from "node:os";
import path from "node:path";
import { readSuiteResult, writeSuiteResult } from "../lib/results.ts";
import { measureTrainingInfluence } from "./training.ts";

const root = path.resolve(import.meta.dirname, "../..");
const THREADS = Number(process.env.ATTRIBUTION_BENCH_THREADS ?? 1);
if (!Number.isInteger(THREADS) || THREADS < 1)
  throw new Error(`ATTRIBUTION_BENCH_THREADS must be a whole number ≥ 1, got ${process.env.ATTRIBUTION_BENCH_THREADS}`);
const previous = await readSuiteResult("attribution");
const started = performance.now();
const training = await measureTrainingInfluence({
  model: path.join(root, "trainer-node/models/smollm2-135m-instruct"),
  python: path.join(root, "trainer-node/worker/.venv/bin/python"),
  workerDir: path.join(root, "trainer-node/worker"),
  threads: THREADS,
  embedScript: path.join(import.meta.dirname, "embed.py"),
});
const { date, notes } = previous;
const context = Object.fromEntries(Object.entries(previous.metrics).filter(([k]) => !(k in training.metrics)));
const written = await writeSuiteResult(
  "attribution",
  { ...context, ...training.metrics },
  {
    ...notes,
    ...training.notes,
    contextMeasuredAt: (notes.contextMeasuredAt as string | undefined) ?? date,
    trainingMeasuredAt: new Date().toISOString(),
    trainingWallSeconds: +((performance.now() - started) / 1000).toFixed(1),
    trainingWorkerThreads: THREADS,
    trainingLoadAverageAtEnd: os.loadavg().map((x) => +x.toFixed(2)),
  },
);
const table = Object.entries(training.metrics).map(([name, m]) => `${name.padEnd(52)} ${String(m.value).padStart(10)} ${m.unit}`);
console.log(`\n${table.join("\n")}\n\nwrote ${path.relative(root, written)}`);
