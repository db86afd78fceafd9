// The trainer node: connects to chain and content store, resumes or gives up the jobs it held
// when it stopped, watches for open jobs it can serve (base model present, a slot free), claims
// them — the chain makes sure exactly one node wins — and runs them. It also renews claim
// leases and keeps the list of models it can serve.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { JobState, describeError, trainingJobsAbi, type BaseModelInfo } from "@modelfactory/sdk";
import { createNodeKuboContentStore, type ContentStore } from "@modelfactory/sdk/node";
import { blockRanges, connectChain, revertName, type Chain } from "./chain.ts";
import type { TrainerNodeConfig } from "./config.ts";
import { putJson } from "./content.ts";
import { JobFailure } from "./errors.ts";
import { ACTIVE_PHASES, Journal } from "./journal.ts";
import { JobRunner, fetchSpec, readJobRecord, type JobRunnerContext } from "./job-runner.ts";
import { scanBaseModels } from "./base-models.ts";
import { workerGgufImporter } from "./gguf-import.ts";
import { ChatService } from "./chat.ts";
import type { ServedModel } from "./served-models.ts";

import { VERSION } from "./version.ts";

export { VERSION };

export type { ServedModel } from "./served-models.ts";

export class TrainerNode {
  readonly config: TrainerNodeConfig;
  chain!: Chain;
  journal!: Journal;
  store!: ContentStore;
  baseModels: BaseModelInfo[] = [];
  readonly running = new Map<string, JobRunner>();
  readonly served = new Map<string, ServedModel>();
  chat!: ChatService;
  private readonly skipped = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;
  private readonly log: (message: string) => void;

  constructor(config: TrainerNodeConfig, log: (message: string) => void = (m) => console.log(m)) {
    this.config = config;
    this.log = log;
  }

  private get runnerContext(): JobRunnerContext {
    return {
      config: this.config,
      chain: this.chain,
      journal: this.journal,
      store: this.store,
      baseModels: () => this.baseModels,
      log: this.log,
      onModel: (m) => this.served.set(m.modelId.toString(), m),
    };
  }

  /** Connects, recovers, announces and starts watching. */
  async start(): Promise<void> {
    await mkdir(this.config.dataDir, { recursive: true });
    this.chain = await connectChain(this.config);
    this.journal = new Journal(this.config.dataDir);
    this.store = createNodeKuboContentStore({ url: this.config.contentApiUrl });
    // GGUF files are converted by the same worker command the node runs jobs with.
    this.baseModels = await scanBaseModels(this.config.modelsDir, this.log, {
      importGguf: workerGgufImporter(this.config.workerCommand, this.config.workerCwd),
    });
    this.log(
      `operator ${this.chain.account.address} on chain ${this.chain.chainId}; ${this.baseModels.length} base model(s): ${this.baseModels.map((m) => m.id).join(", ") || "none"}`,
    );
    if (this.baseModels.length === 0) this.log(`no base models in ${this.config.modelsDir}: the node will not claim jobs`);
    for (const job of this.journal.listJobs({ phases: ["completed"] })) {
      if (job.modelId && job.spec) {
        this.served.set(job.modelId, {
          modelId: BigInt(job.modelId),
          jobId: BigInt(job.jobId),
          baseModel: job.spec.baseModel,
          adapterDir: path.join(this.config.dataDir, "jobs", job.jobId, "out", "adapter"),
          datanetIds: job.datanetIds.map(BigInt),
        });
      }
    }
    // Chat's warnings go to stderr, unprefixed, as they always have.
    this.chat = await ChatService.open({
      chain: this.chain,
      store: this.store,
      served: this.served,
      config: this.config,
      log: (m) => console.warn(m),
    });
    await this.announce();
    await this.recover();
    this.timer = setInterval(() => void this.poll(), this.config.pollIntervalMs);
    await this.poll();
  }

  /** Stops watching; running jobs stop with the process and resume on the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const runner of this.running.values()) runner.cancel("The trainer node is shutting down.");
    await this.chat?.close();
  }

  private async announce(): Promise<void> {
    if (!this.config.announce) return;
    const admitted = await this.chain.contracts.trainers.read.isAdmitted([this.chain.account.address]);
    if (!admitted) {
      this.log(
        `this operator is not an admitted trainer: ask the protocol admin to call TrainerRegistry.admitTrainer(${this.chain.account.address}, "${this.config.publicUrl}", …); jobs cannot be claimed until then`,
      );
      return;
    }
    const metadataURI = await putJson(this.store, { schema: "modelfactory.trainer/1", version: VERSION, baseModels: this.baseModels });
    await this.chain.send(this.chain.contracts.trainers.address, this.chain.contracts.trainers.abi, "updateTrainer", [
      this.config.publicUrl,
      metadataURI,
    ]);
    if (!(await this.chain.contracts.trainers.read.isActiveTrainer([this.chain.account.address]))) {
      await this.chain.send(this.chain.contracts.trainers.address, this.chain.contracts.trainers.abi, "setActive", [true]);
    }
    this.log(`announced ${this.config.publicUrl} on chain`);
  }

  /** Jobs the journal says were running: resume those whose claim this node still holds. */
  private async recover(): Promise<void> {
    for (const job of this.journal.listJobs({ phases: ACTIVE_PHASES })) {
      const [, state, , trainer] = await this.chain.contracts.jobs.read.getJob([BigInt(job.jobId)]);
      if (state === JobState.Claimed && trainer.toLowerCase() === this.chain.account.address.toLowerCase()) {
        this.log(`job ${job.jobId}: resuming after restart`);
        void this.launch(BigInt(job.jobId));
      } else {
        const reason = "The claim was lost while this node was down.";
        this.journal.saveJob({ ...job, phase: "failed", failureReason: reason, updatedAt: Date.now() });
        this.journal.appendEvent(job.jobId, { type: "state", at: Date.now(), phase: "failed", message: reason });
      }
    }
  }

  /** Runs a job this node's operator has claimed on chain (after its own claim, or a resume). */
  runClaimed(jobId: bigint): Promise<void> {
    return this.launch(jobId);
  }

  private launch(jobId: bigint): Promise<void> {
    const runner = new JobRunner(this.runnerContext, jobId);
    this.running.set(jobId.toString(), runner);
    return (async () => {
      try {
        await runner.run(await readJobRecord(this.chain, jobId));
      } catch (error) {
        this.log(`job ${jobId}: ${describeError(error)}`);
      } finally {
        this.running.delete(jobId.toString());
      }
    })();
  }

  /** One round: renew leases, then look at jobs created or released since the cursor. */
  async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      await this.renewLeases();
      await this.chat.sync().catch((e: unknown) => this.log(`retrieval sync: ${describeError(e)}`));
      const latest = await this.chain.publicClient.getBlockNumber();
      const from = BigInt(this.journal.getMeta("cursor") ?? this.chain.startBlock.toString());
      // No new block: jobs seen earlier may still wait for a slot that has since freed up.
      if (latest < from) return await this.claimPending();
      const candidates = new Set<bigint>();
      for (const [fromBlock, toBlock] of blockRanges(from, latest)) {
        for (const eventName of ["JobCreated", "JobReleased"] as const) {
          const logs = await this.chain.publicClient.getContractEvents({
            address: this.chain.contracts.jobs.address,
            abi: trainingJobsAbi,
            eventName,
            fromBlock,
            toBlock,
          });
          for (const l of logs) if (l.args.jobId !== undefined) candidates.add(l.args.jobId);
        }
      }
      this.journal.setMeta("cursor", (latest + 1n).toString());
      for (const jobId of [...candidates].sort((a, b) => (a < b ? -1 : 1))) this.pending.add(jobId);
      await this.claimPending();
    } catch (error) {
      this.log(`poll: ${describeError(error)}`);
    } finally {
      this.polling = false;
    }
  }

  /** Open jobs seen but not yet claimed (waiting for a free slot). */
  private readonly pending = new Set<bigint>();

  private async claimPending(): Promise<void> {
    for (const jobId of [...this.pending]) {
      if (this.running.size >= this.config.concurrency) return;
      this.pending.delete(jobId);
      const id = jobId.toString();
      if (this.running.has(id) || this.skipped.has(id)) continue;
      const [, state] = await this.chain.contracts.jobs.read.getJob([jobId]);
      if (state !== JobState.Open) continue;
      const record = await readJobRecord(this.chain, jobId);
      let canServe = true;
      try {
        const spec = await fetchSpec(this.store, record);
        canServe = this.baseModels.some((m) => m.id === spec.baseModel);
        if (!canServe) this.log(`job ${id}: base model "${spec.baseModel}" is not here; leaving it to other nodes`);
        // A continuation is for the node that ran the earlier job (its checkpoint is there); that
        // node claims it, and fails it with the reason when it cannot continue after all.
        if (canServe && spec.continueFrom && !this.journal.getJob(spec.continueFrom)) {
          canServe = false;
          this.log(
            `job ${id}: continues job ${spec.continueFrom}, which did not run here; leaving it to the node that holds its checkpoint`,
          );
        }
      } catch (error) {
        if (!(error instanceof JobFailure)) throw error;
        if (error.code === "SPEC_UNAVAILABLE") {
          // Maybe the content store is briefly away: look again next round, claim nothing.
          this.log(`job ${id}: ${error.shortMessage}`);
          this.pending.add(jobId);
          return;
        }
        // A spec no node can ever use: claim it so the failure reaches the builder on chain.
      }
      if (!canServe) {
        this.skipped.add(id);
        continue;
      }
      try {
        await this.chain.send(this.chain.contracts.jobs.address, trainingJobsAbi, "claimJob", [jobId]);
      } catch (error) {
        this.log(`job ${id}: not claimed (${revertName(error) ?? describeError(error)})`);
        continue;
      }
      this.log(`job ${id}: claimed`);
      void this.launch(jobId);
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.running.size === 0) return;
    const lease = await this.chain.contracts.jobs.read.leaseDuration();
    const now = BigInt(Math.floor(Date.now() / 1000));
    for (const id of this.running.keys()) {
      const [, state, , , leaseExpiresAt] = await this.chain.contracts.jobs.read.getJob([BigInt(id)]);
      if (state === JobState.Claimed && leaseExpiresAt - now < lease / 2n) {
        await this.chain
          .send(this.chain.contracts.jobs.address, trainingJobsAbi, "renewLease", [BigInt(id)])
          .catch((e: unknown) => this.log(`job ${id}: renewLease: ${describeError(e)}`));
      }
    }
  }
}
