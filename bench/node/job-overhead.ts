// "End-to-end job overhead": the time a tiny job spends outside the model worker — claim,
// snapshot and access checks, fetch and verify, writing records, publishing and completeJob —
// measured on a real local stack (chain, content API, trainer node, worker) from the journal's
// phase timestamps. Total wall time and the worker's share are reported beside it.
import path from "node:path";
import type { JobEvent } from "@modelfactory/sdk";
import { TrainerNode } from "../../trainer-node/src/trainer-node.ts";
import { eventually, qaJsonl, startStack, tinyModel } from "../../trainer-node/test/helpers/stack.ts";
import type { Metric } from "../lib/results.ts";

export async function measureJobOverhead(): Promise<Record<string, Metric> | null> {
  const stack = await startStack();
  let node: TrainerNode | undefined;
  try {
    const modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    node = new TrainerNode(await stack.nodeConfig("trainer", modelsDir), () => undefined);
    await node.start();
    const datanet = await stack.createDatanet(0, 0);
    await stack.contribute(datanet, qaJsonl("overhead", 8));
    await stack.contribute(datanet, qaJsonl("timing", 8));
    const created = Date.now();
    const jobId = await stack.createJob([datanet], {}, { epochs: 1 });
    const n = node;
    await eventually(
      "the benchmark job",
      () => {
        const s = n.journal.getJob(jobId.toString());
        if (s?.phase === "failed") throw new Error(`benchmark job failed: ${s.failureReason}`);
        return s?.phase === "completed" ? true : undefined;
      },
      300_000,
    );
    const at = (phase: string) =>
      (n.journal.eventsOf(jobId.toString()).find((e: JobEvent) => e.type === "state" && e.phase === phase) as { at: number }).at;
    const total = at("completed") - created;
    const worker = at("publishing") - at("training");
    const ms = (value: number): Metric => ({ value, unit: "ms", better: "lower" });
    return {
      jobOverhead: ms(total - worker),
      jobOverheadClaim: ms(at("claimed") - created),
      jobOverheadPrepare: ms(at("training") - at("preparing")),
      jobOverheadPublish: ms(at("completed") - at("publishing")),
      jobWorkerTime: ms(worker),
      jobTotal: ms(total),
    };
  } finally {
    await node?.stop();
    await stack.stop();
  }
}
