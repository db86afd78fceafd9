// A real QLoRA run of the worker on the tiny model (load NF4 → train 2 steps → evaluate), as it
// sent it (test/fixtures/worker-qlora-run.json, paths under /jobs/1). evaluation.test.ts checks
// it against the protocol's strict schemas, so it cannot drift from what the worker sends.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { CommandResults, ProgressEvent } from "../../src/worker-protocol.ts";

export type WorkerRun = {
  load: CommandResults["load"];
  train: CommandResults["train"];
  evaluate: CommandResults["evaluate"];
  progress: ProgressEvent[];
};

export const qloraRun = JSON.parse(readFileSync(path.join(import.meta.dirname, "../fixtures/worker-qlora-run.json"), "utf8")) as WorkerRun;
