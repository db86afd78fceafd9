// The serving workers of a node's chat: one worker process per base model, holding that base
// loaded once and every served adapter over it (loaded on first use), with a queue so that one
// request at a time runs in a worker. A worker that died is started again on the next request.
import path from "node:path";
import type { TrainerNodeConfig } from "./config.ts";
import type { ServedModel } from "./served-models.ts";
import { WorkerClient } from "./worker-client.ts";

/** A base model's serving worker, its loaded adapters, and the tail of its request queue. */
export type ServingWorker = { worker: WorkerClient; adapters: Set<string>; queue: Promise<unknown> };

type ServingConfig = Pick<TrainerNodeConfig, "modelsDir" | "workerCommand" | "workerCwd" | "workerHangMs" | "workerStartMs">;

export class ServingWorkers {
  private readonly byBase = new Map<string, ServingWorker>();

  private readonly config: ServingConfig;

  constructor(config: ServingConfig) {
    this.config = config;
  }

  /** The worker serving `model`: its base loaded (started if needed) and its adapter loaded as `model-<id>`. */
  async for(model: ServedModel): Promise<ServingWorker> {
    let s = this.byBase.get(model.baseModel);
    if (!s || !s.worker.alive) {
      const worker = new WorkerClient({
        command: this.config.workerCommand,
        cwd: this.config.workerCwd,
        hangMs: this.config.workerHangMs,
        startMs: this.config.workerStartMs,
        onLog: () => undefined,
      });
      s = { worker, adapters: new Set(), queue: Promise.resolve() };
      this.byBase.set(model.baseModel, s);
      await worker.request("load", { model: path.join(this.config.modelsDir, model.baseModel) }, { hangMs: this.config.workerStartMs });
    }
    const name = `model-${model.modelId}`;
    if (!s.adapters.has(name)) {
      await s.worker.request("load", { adapters: { [name]: model.adapterDir } }, { hangMs: this.config.workerStartMs });
      s.adapters.add(name);
    }
    return s;
  }

  /** Stops every serving worker. */
  async close(): Promise<void> {
    for (const s of this.byBase.values()) await s.worker.close().catch(() => undefined);
  }
}
