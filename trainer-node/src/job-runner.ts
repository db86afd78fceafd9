// One job from claim to completion, as a sequence of phases: fetch and verify the spec
// (job-record.ts), read and split the contributions (job-data.ts), train through a fresh worker
// process (resuming from its last checkpoint after a crash, or from the checkpoint of the failed job
// it continues; worker-train-config.ts), evaluate base against tuned, index training influence,
// publish adapter, metrics, index and manifest (job-artifacts.ts), and complete the job on chain.
// Any failure fails the job on chain with a reason a builder can act on.
// About 550 lines at the formatter's width: the runner is the phase sequencer and owns the state the phases share (the
// worker process, cancellation, the journal summary, the result cache); each phase's work is in
// the modules named above.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { decodeEventLog } from "viem";
import {
  enumName,
  JobState,
  describeError,
  trainingJobsAbi,
  type BaseModelInfo,
  type EvaluationReport,
  type JobEvent,
  type JobPhase,
  type JobSummary,
  type TrainingInfluenceProbe,
} from "@modelfactory/sdk";
import type { ContentStore } from "@modelfactory/sdk/node";
import { ChainTxError, revertName, type Chain } from "./chain.ts";
import type { TrainerNodeConfig } from "./config.ts";
import { JobFailure } from "./errors.ts";
import type { Journal } from "./journal.ts";
import { checkTrainAccess, trainingContributions } from "./snapshot.ts";
import { ResultCache, runKey, type CachedRun } from "./result-cache.ts";
import { artifactSealing } from "./sealed-artifacts.ts";
import { WorkerClient, WorkerCommandError, WorkerCrashedError } from "./worker-client.ts";
import type {
  CheckpointEvent,
  EvaluateArgs,
  EvaluateResult,
  LoadResult,
  ProgressEvent,
  TrainConfig,
  TrainResult,
} from "./worker-protocol.ts";
import { toEvaluationReport } from "./evaluation.ts";
import { outOfMemoryReason } from "./memory-fit.ts";
import { checkSameContributions, metaKeys, resolveContinuation } from "./continuation.ts";
import { buildInfluenceIndex, influenceSettings, INFLUENCE_INDEX_FILE } from "./influence-index.ts";
import { PROBE_METHOD, probeCases, probeTrainingInfluence } from "./influence-probe.ts";
import type { InfluenceIndexResult } from "./worker-results.ts";
import { dropRecordFiles, promptOf, readJobContributions, splitAndWrite, type Sourced } from "./job-data.ts";
import { fetchSpec, type JobRecord } from "./job-record.ts";
import { storeJobArtifacts } from "./job-artifacts.ts";
import { workerTrainConfig } from "./worker-train-config.ts";

export { fetchSpec, readJobRecord, type JobRecord } from "./job-record.ts";

export type JobRunnerContext = {
  config: TrainerNodeConfig;
  chain: Chain;
  journal: Journal;
  store: ContentStore;
  baseModels: () => BaseModelInfo[];
  log: (message: string) => void;
  /** Called when the job registered a model on chain. */
  onModel?: (model: { modelId: bigint; jobId: bigint; baseModel: string; adapterDir: string; datanetIds: bigint[] }) => void;
};

type Prepared = Awaited<ReturnType<JobRunner["prepare"]>>;

export class JobRunner {
  readonly jobId: bigint;
  private readonly ctx: JobRunnerContext;
  private worker: WorkerClient | undefined;
  private cancelled: string | undefined;
  private summary!: JobSummary;
  /** The worker's progress events of this run, kept for the result cache. */
  private progressEvents: ProgressEvent[] = [];
  /** The worker's `load` result for this run's base model: its device and measured quantization go into the report. */
  private loaded: LoadResult | undefined;
  /** Whether `this.worker` holds the published adapter (`published-<root job>`) from its folder. */
  private publishedLoaded = false;

  constructor(ctx: JobRunnerContext, jobId: bigint) {
    this.ctx = ctx;
    this.jobId = jobId;
  }

  private get id(): string {
    return this.jobId.toString();
  }

  private get dir(): string {
    return path.join(this.ctx.config.dataDir, "jobs", this.id);
  }

  /** Process id of the job's worker while one runs. */
  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  /** Stops the job within a worker step; it fails on chain with `reason`. */
  cancel(reason: string): void {
    this.cancelled = reason;
    void this.worker?.cancelAll();
  }

  private event(e: Parameters<Journal["appendEvent"]>[1]): JobEvent {
    return this.ctx.journal.appendEvent(this.id, e);
  }

  private setPhase(phase: JobPhase, message?: string, patch: Partial<JobSummary> = {}): void {
    this.summary = { ...this.summary, ...patch, phase, updatedAt: Date.now() };
    this.ctx.journal.saveJob(this.summary);
    this.event({ type: "state", at: Date.now(), phase, message });
    this.ctx.log(`job ${this.id}: ${phase}${message ? ` — ${message}` : ""}`);
  }

  private log(level: "info" | "warn" | "error", message: string): void {
    this.event({ type: "log", at: Date.now(), level, message });
  }

  /** Runs the job, which this node has already claimed on chain. */
  async run(record: JobRecord): Promise<void> {
    const existing = this.ctx.journal.getJob(this.id);
    this.summary = existing ?? {
      jobId: this.id,
      builder: record.builder,
      phase: "claimed",
      datanetIds: record.datanetIds.map(String),
      spec: null,
      specURI: record.specURI,
      snapshotBlock: record.snapshotBlock.toString(),
      createdAt: Date.now(),
      updatedAt: Date.now(),
      progress: null,
      failureReason: null,
      modelId: null,
      metricsURI: null,
      adapterCID: null,
      manifestRoot: null,
    };
    if (!existing) this.setPhase("claimed", `claimed by ${this.ctx.chain.account.address}`);
    else this.log("info", `resuming after a restart from phase ${existing.phase}`);
    let sealedJob = false;
    try {
      await mkdir(this.dir, { recursive: true });
      const prepared = await this.prepare(record);
      sealedJob = prepared.seal !== null;
      // Nothing derived from encrypted data is kept beyond the job (the cache holds the adapter and
      // sample answers) unless the operator opts in. Either way the keys were released for this job
      // first, so a cache hit still needs the chain's permission now.
      // A continuation trains on from another job's checkpoint: never replayed from the cache.
      const useCache = this.ctx.config.resultCacheDir && !prepared.continuation && (!sealedJob || this.ctx.config.resultCachePermissioned);
      const cache = useCache ? new ResultCache(this.ctx.config.resultCacheDir!) : undefined;
      const key = cache ? await runKey(this.cacheInputs(prepared)) : undefined;
      const hit =
        cache && key
          ? await cache.get(key, path.join(this.dir, "out", "cached-adapter"), path.join(this.dir, INFLUENCE_INDEX_FILE))
          : undefined;
      let trained: TrainResult & { adapter_path: string };
      let report: EvaluationReport;
      let influence: InfluenceIndexResult | undefined;
      if (hit && key) {
        trained = hit.trained as typeof trained;
        report = this.replay(prepared, key, hit);
        influence = hit.influence ?? (await this.indexInfluence(prepared, trained));
        // A probe cached under another method is measured again (the index is the same).
        const cached = hit.probe?.method === PROBE_METHOD ? hit.probe : undefined;
        const probe = cached ?? (influence ? await this.probeInfluence(prepared, trained, influence) : undefined);
        if (probe) report.trainingInfluenceProbe = probe;
      } else {
        trained = await this.train(prepared);
        const evaluated = await this.evaluateRaw(prepared);
        // After evaluation: a worker lost while indexing costs the index only, never the report.
        influence = await this.indexInfluence(prepared, trained);
        const probe = influence ? await this.probeInfluence(prepared, trained, influence) : undefined;
        const loaded = this.loaded!;
        report = this.report(prepared, { loaded, trained, evaluated });
        if (probe) report.trainingInfluenceProbe = probe;
        // A resumed run's curve starts at its checkpoint: only whole runs are cached.
        if (cache && key && !trained.resumed_from) {
          await cache
            .put(key, {
              loaded,
              trained,
              evaluated,
              progress: this.progressEvents,
              ...(influence ? { influence } : {}),
              ...(probe ? { probe } : {}),
            })
            .catch((e: unknown) => this.log("warn", `result cache: could not store this run: ${describeError(e)}`));
        }
      }
      await this.publish(record, prepared, trained, report, influence);
    } catch (error) {
      await this.fail(error);
    } finally {
      await this.worker?.close().catch(() => undefined);
      this.worker = undefined;
      // Decrypted records leave the disk when the job ends, whatever its outcome.
      if (sealedJob) await this.dropDecryptedRecords();
    }
  }

  private async prepare(record: JobRecord) {
    this.setPhase("preparing", "verifying access, spec and contributions");
    const spec = await fetchSpec(this.ctx.store, record);
    this.summary = { ...this.summary, spec };
    const model = this.ctx.baseModels().find((m) => m.id === spec.baseModel);
    if (!model) throw new JobFailure("MODEL_MISSING", `Base model "${spec.baseModel}" is not on this trainer node.`);
    const continuation = spec.continueFrom ? resolveContinuation(this.ctx.journal, spec, this.id, record.builder) : null;
    await checkTrainAccess(this.ctx.chain, record.builder, record.datanetIds, record.snapshotBlock);
    const contributions = await trainingContributions(this.ctx.chain, record.datanetIds, record.snapshotBlock);
    this.log("info", `${contributions.length} accepted contribution(s) at block ${record.snapshotBlock}`);
    if (continuation) {
      checkSameContributions(
        this.ctx.journal,
        continuation,
        contributions.map((c) => c.id),
      );
      this.log("info", `continues job ${continuation.jobId} from its checkpoint ${path.basename(continuation.checkpoint)}`);
    }
    // What a later continuation of this job checks it against, and the root job whose id seeds the
    // split and names the adapter (a continuation holds out the same records, and its checkpoint's
    // weights carry the adapter's name).
    const rootJob = continuation?.rootJob ?? this.id;
    this.ctx.journal.setMeta(metaKeys.contributions(this.id), JSON.stringify(contributions.map((c) => c.id.toString())));
    this.ctx.journal.setMeta(metaKeys.rootJob(this.id), rootJob);
    const { results, sealed } = await readJobContributions(
      { chain: this.ctx.chain, store: this.ctx.store, jobId: this.jobId },
      contributions,
      (m) => this.log("info", m),
    );
    // Sealed artifacts for any permissioned Datanet, encrypted or not (sealed-artifacts.ts); with
    // no key to seal for the job fails here, before training.
    const seal = await artifactSealing(this.ctx.chain, record.datanetIds, sealed.length, spec.builderEncryptionKey, record.snapshotBlock);
    const failures = results.filter((r) => !r.ok);
    if (failures.length) {
      const first = failures[0]!;
      const reason = first.ok ? "" : describeError(first.error);
      const code = first.ok ? undefined : first.error.code;
      throw new JobFailure(
        code === "CONTENT_HASH_MISMATCH" || code === "CONTRIBUTION_DECRYPT_FAILED" ? code : "CONTRIBUTION_UNREADABLE",
        `${failures.length} of ${results.length} contribution(s) failed verification; first: ${reason}`,
      );
    }
    // Every record keeps the id of its contribution through the split: the worker's data insights
    // report losses per contribution, and the ids go with the files line by line.
    const records = new Map<bigint, Sourced[]>();
    results.forEach(
      (r, i) =>
        r.ok &&
        records.set(
          contributions[i]!.id,
          r.records.map((record) => ({ record, contributionId: contributions[i]!.id.toString() })),
        ),
    );
    const seed = `${this.ctx.chain.chainId}:${rootJob}:${spec.hyperparameters.seed}`;
    const { trainSide, evalSide, split, trainFile, evalFile } = await splitAndWrite(
      { spec, contributions, records, seed, dir: this.dir },
      (level, m) => this.log(level, m),
    );
    const prompts = evalSide.slice(0, 32).map((x) => promptOf(x.record));
    const sources = { train: trainSide.map((x) => x.contributionId), eval: evalSide.map((x) => x.contributionId) };
    return {
      heldOut: evalSide,
      spec,
      model,
      contributions,
      continuation,
      rootJob,
      split,
      trainFile,
      evalFile,
      prompts,
      sources,
      trainRecords: trainSide.length,
      evalRecords: evalSide.length,
      sealed: sealed.length,
      seal,
    };
  }

  private async startWorker(): Promise<WorkerClient> {
    const worker = new WorkerClient({
      command: this.ctx.config.workerCommand,
      cwd: this.ctx.config.workerCwd,
      hangMs: this.ctx.config.workerHangMs,
      startMs: this.ctx.config.workerStartMs,
      // The node's memory limit caps the job's worker: past it, allocations fail as out of memory.
      ...(this.ctx.config.memoryLimitMb ? { env: { MODELFACTORY_WORKER_MEMORY_LIMIT_MB: String(this.ctx.config.memoryLimitMb) } } : {}),
      onLog: (line) => this.ctx.log(`job ${this.id} worker: ${line}`),
    });
    this.worker = worker;
    await worker.ready;
    return worker;
  }

  private async train(p: Prepared) {
    this.setPhase("training", `${p.spec.method.toUpperCase()} on ${p.spec.baseModel}`);
    const worker = await this.startWorker();
    const modelDir = path.join(this.ctx.config.modelsDir, p.model.id);
    // Loading sends no progress events and takes as long as a start for large models.
    const loaded = await worker.request(
      "load",
      { model: modelDir, quantization: p.spec.method === "qlora" ? "nf4" : "none" },
      { hangMs: this.ctx.config.workerStartMs },
    );
    this.loaded = loaded;
    const bits = loaded.quantized.bits_per_parameter;
    this.log(
      "info",
      `base model loaded on ${loaded.device} (${loaded.dtype}${bits !== undefined ? `, NF4 at ${bits.toFixed(3)} bits per weight` : ""})`,
    );
    // This job's own checkpoint (a restart) comes first; else the checkpoint of the job it continues.
    const checkpoint = this.ctx.journal.getMeta(metaKeys.checkpoint(this.id));
    const resumeFrom = checkpoint && existsSync(checkpoint) ? checkpoint : (p.continuation?.checkpoint ?? null);
    if (resumeFrom)
      this.log(
        "info",
        `resuming from checkpoint ${path.basename(resumeFrom)}${resumeFrom === p.continuation?.checkpoint ? ` of job ${p.continuation.jobId}` : ""}`,
      );
    if (this.cancelled) throw new JobFailure("CANCELLED", this.cancelled);
    const result = await worker.request(
      "train",
      {
        config: this.trainConfig(p),
        data: { train: p.trainFile, eval: p.evalFile },
        output_dir: path.join(this.dir, "out"),
        adapter: `job-${p.rootJob}`,
        resume_from: resumeFrom,
        ...((this.ctx.config.workerProcesses ?? 1) > 1 ? { processes: this.ctx.config.workerProcesses } : {}),
      },
      { onEvent: (e) => this.onWorkerEvent(e) },
    );
    if (result.status === "cancelled" || this.cancelled) throw new JobFailure("CANCELLED", this.cancelled ?? "Training was cancelled.");
    const adapterPath = result.adapter_path;
    if (adapterPath === undefined) throw new JobFailure("TRAIN_FAILED", "The worker finished training without saving an adapter.");
    if (result.processes !== undefined && result.processes > 1) this.log("info", `trained data-parallel on ${result.processes} processes`);
    return { ...result, adapter_path: adapterPath };
  }

  private onWorkerEvent(e: ProgressEvent | CheckpointEvent): void {
    if (e.event === "checkpoint") {
      this.ctx.journal.setMeta(metaKeys.checkpoint(this.id), e.path);
      return;
    }
    this.progressEvents.push(e);
    const progress = this.event({
      type: "progress",
      at: Date.now(),
      step: e.step,
      totalSteps: e.total_steps,
      epoch: e.epoch,
      // The worker sends a non-finite loss or gradient norm as null; it stays non-finite here.
      loss: e.loss ?? Number.NaN,
      learningRate: e.lr,
      gradNorm: e.grad_norm ?? Number.NaN,
      tokensPerSecond: e.tokens_per_s,
      mfu: e.mfu,
      // The allocator's figure on a GPU; the process's resident memory on CPU.
      memoryBytes: Math.round((e.memory.cuda_allocated_mb ?? e.memory.rss_mb) * 1024 * 1024),
      etaSeconds: e.eta_s,
    });
    this.summary = { ...this.summary, progress: progress as Extract<JobEvent, { type: "progress" }>, updatedAt: Date.now() };
    this.ctx.journal.saveJob(this.summary);
    if (typeof e.eval_loss === "number") this.event({ type: "eval", at: Date.now(), step: e.step, evalLoss: e.eval_loss });
  }

  private trainConfig(p: Prepared): TrainConfig {
    return workerTrainConfig(p.spec, this.ctx.config.checkpointEvery, this.ctx.config.evalEvery);
  }

  private evaluateArgs(p: Prepared): EvaluateArgs & { data: string; insights: NonNullable<EvaluateArgs["insights"]> } {
    return {
      data: p.evalFile,
      max_seq_len: p.spec.hyperparameters.maxLength,
      max_samples: this.ctx.config.evalSamples,
      max_new_tokens: this.ctx.config.evalNewTokens,
      insights: { eval_contributions: p.sources.eval, train: p.trainFile, train_contributions: p.sources.train },
    };
  }

  private cacheInputs(p: Prepared) {
    // The files' paths are per job; their bytes and the contribution ids are what a run depends on.
    const {
      data: _file,
      insights: { train: _train, ...insights },
      ...rest
    } = this.evaluateArgs(p);
    const evaluateArgs = { ...rest, insights };
    return {
      modelDir: path.join(this.ctx.config.modelsDir, p.model.id),
      workerDir: this.ctx.config.workerCwd,
      trainConfig: this.trainConfig(p),
      quantization: p.spec.method === "qlora" ? "nf4" : "none",
      trainFile: p.trainFile,
      evalFile: p.evalFile,
      evaluateArgs,
      influenceSettings: this.influenceSettings(p),
    };
  }

  private influenceSettings(p: Prepared) {
    return influenceSettings(p.spec.hyperparameters.maxLength, p.spec.hyperparameters.seed);
  }

  /**
   * The training-influence index (influence-index.ts), built by the job's worker from the trained
   * adapter once it is evaluated; for a cached run without one, by a worker that loads the cached
   * adapter. A failure other than cancellation publishes the model without an index (its chat then
   * lists no training influences) and says so in the job's log.
   */
  private async indexInfluence(p: Prepared, trained: { adapter_path: string }): Promise<InfluenceIndexResult | undefined> {
    const perContribution = new Map<string, number>();
    for (const id of p.sources.train) perContribution.set(id, (perContribution.get(id) ?? 0) + 1);
    if (perContribution.size === 0) return undefined;
    const sampled = [...perContribution.values()].reduce((n, k) => n + Math.min(k, this.influenceSettings(p).per_contribution), 0);
    // Still the evaluating phase (evaluation just ended); the live job page shows this log line.
    this.log("info", `building the training influence index: gradients of ${sampled} record(s) of ${perContribution.size} contribution(s)`);
    // The gradients are taken of the adapter as published, loaded from its folder as chat loads it:
    // an index is bound to the exact weights it was computed at.
    try {
      const { worker, adapter } = await this.publishedAdapterWorker(p, trained);
      const built = await buildInfluenceIndex({
        worker,
        adapter,
        trainFile: p.trainFile,
        contributions: p.sources.train,
        jobDir: this.dir,
        maxLength: p.spec.hyperparameters.maxLength,
        seed: p.spec.hyperparameters.seed,
        hangMs: this.ctx.config.workerHangMs,
      });
      if (this.cancelled) throw new JobFailure("CANCELLED", this.cancelled);
      const r = built.result;
      this.log(
        "info",
        `training influence index: ${r.contributions} contribution(s), ${Object.values(r.examples).reduce((a, b) => a + b, 0)} record gradient(s) in ${r.seconds.toFixed(1)} s${r.skipped.length ? `; no record of contribution(s) ${r.skipped.join(", ")} fits the tokenizer's length` : ""}`,
      );
      return r;
    } catch (error) {
      if (this.cancelled || (error instanceof JobFailure && error.code === "CANCELLED")) throw error;
      this.log(
        "warn",
        `training influence index not built, so this model's answers will list no training influences: ${describeError(error)}`,
      );
      return undefined;
    }
  }

  /**
   * A worker holding the published adapter, loaded from its folder as chat loads it: the job's
   * worker when it is still alive, else a new one with the base model loaded.
   */
  private async publishedAdapterWorker(p: Prepared, trained: { adapter_path: string }): Promise<{ worker: WorkerClient; adapter: string }> {
    const adapter = `published-${p.rootJob}`;
    let worker = this.worker;
    if (!worker?.alive) {
      worker = await this.startWorker();
      this.publishedLoaded = false;
      await worker.request(
        "load",
        { model: path.join(this.ctx.config.modelsDir, p.model.id), quantization: p.spec.method === "qlora" ? "nf4" : "none" },
        { hangMs: this.ctx.config.workerStartMs },
      );
    }
    if (!this.publishedLoaded) {
      await worker.request("load", { adapters: { [adapter]: trained.adapter_path } }, { hangMs: this.ctx.config.workerStartMs });
      this.publishedLoaded = true;
    }
    return { worker, adapter };
  }

  /**
   * The report's probe of training influence (influence-probe.ts) on held-out questions, under the
   * record split only (a contribution split holds out contributions the index does not hold). A
   * failure other than cancellation leaves the probe out of the report and says so in the log.
   */
  private async probeInfluence(
    p: Prepared,
    trained: { adapter_path: string },
    influence: InfluenceIndexResult,
  ): Promise<TrainingInfluenceProbe | undefined> {
    if (p.split.method !== "record" || !p.split.heldOut) return undefined;
    const indexed = new Set(Object.entries(influence.examples).flatMap(([id, n]) => (n > 0 ? [id] : [])));
    const cases = probeCases(p.heldOut, indexed);
    if (cases.length === 0) return undefined;
    this.log("info", `probing training influence on ${cases.length} held-out question(s)`);
    try {
      const { worker, adapter } = await this.publishedAdapterWorker(p, trained);
      const probe = await probeTrainingInfluence({ worker, adapter, index: influence.path, cases, contributions: influence.contributions });
      if (this.cancelled) throw new JobFailure("CANCELLED", this.cancelled);
      if (!probe) return undefined;
      this.log(
        "info",
        `training influence probe: ${probe.cases.filter((c) => c.rank === 1).length} of ${probe.questions} held-out question(s) traced to their own contribution first (${probe.secondsPerAnswer.toFixed(1)} s each)`,
      );
      return probe;
    } catch (error) {
      if (this.cancelled || (error instanceof JobFailure && error.code === "CANCELLED")) throw error;
      this.log("warn", `training influence probe left out of the report: ${describeError(error)}`);
      return undefined;
    }
  }

  /** A cache hit: the identical earlier run's curve goes to the journal, then its evaluation. */
  private replay(p: Prepared, key: string, hit: CachedRun): EvaluationReport {
    this.setPhase("training", `${p.spec.method.toUpperCase()} on ${p.spec.baseModel}: reusing an identical earlier run`);
    this.log(
      "info",
      `result cache: base model, data, settings and worker code are byte-identical to run ${key.slice(0, 12)}, trained earlier on this node; reusing its adapter and evaluation instead of training again`,
    );
    for (const e of hit.progress) this.onWorkerEvent(e);
    this.setPhase("evaluating", "evaluation of the identical earlier run");
    return this.report(p, hit);
  }

  private async evaluateRaw(p: Prepared): Promise<EvaluateResult> {
    this.setPhase("evaluating", "perplexity, BLEU and ROUGE of base and tuned model on the held-out split");
    const result = await this.worker!.request("evaluate", this.evaluateArgs(p));
    if (this.cancelled) throw new JobFailure("CANCELLED", this.cancelled);
    return result;
  }

  /** The report from what the worker sent: device and bits per weight from `load`, the rest from `train` and `evaluate`. */
  private report(p: Prepared, run: Pick<CachedRun, "loaded" | "trained" | "evaluated">): EvaluationReport {
    const report = toEvaluationReport({
      jobId: this.id,
      spec: p.spec,
      ...run,
      counts: { contributions: p.contributions.length, trainRecords: p.trainRecords, evalRecords: p.evalRecords, heldOut: p.split.heldOut },
      contributionDatanets: new Map(p.contributions.map((c) => [c.id.toString(), c.datanetId.toString()])),
    });
    report.split = { method: p.split.method, paraphraseShare: p.split.paraphraseShare, description: p.split.description };
    // For encrypted data the samples leave this report when it is published (sealed, see publish).
    return report;
  }

  /** Deletes the job's record files: for encrypted data, once training and evaluation are done. */
  private async dropDecryptedRecords(): Promise<void> {
    if (await dropRecordFiles(this.dir)) this.log("info", "deleted this job's decrypted records");
  }

  private async publish(
    record: JobRecord,
    p: Prepared,
    trained: { adapter_path: string },
    report: EvaluationReport,
    influence: InfluenceIndexResult | undefined,
  ): Promise<void> {
    if (p.seal) await this.dropDecryptedRecords();
    this.setPhase("publishing", "adapter, metrics and manifest to the content store; completeJob on chain");
    const { adapterCID, adapterHash, metricsURI, root, manifestURI } = await storeJobArtifacts(
      { store: this.ctx.store, dir: this.dir, log: (m) => this.log("info", m) },
      {
        jobId: this.jobId,
        record,
        contributions: p.contributions,
        spec: p.spec,
        continuation: p.continuation,
        seal: p.seal,
        adapterDir: trained.adapter_path,
        report,
        influence,
      },
    );
    if (this.cancelled) throw new JobFailure("CANCELLED", this.cancelled);
    const receipt = await this.ctx.chain.send(this.ctx.chain.contracts.jobs.address, trainingJobsAbi, "completeJob", [
      this.jobId,
      adapterCID,
      adapterHash,
      metricsURI,
      root,
      manifestURI,
    ]);
    let modelId: bigint | undefined;
    for (const log of receipt.logs) {
      try {
        const decoded = decodeEventLog({ abi: trainingJobsAbi, data: log.data, topics: log.topics });
        if (decoded.eventName === "ModelRegistered") modelId = decoded.args.modelId;
      } catch {
        /* other contracts' logs */
      }
    }
    if (modelId === undefined) throw new JobFailure("NO_MODEL_EVENT", "completeJob succeeded but emitted no ModelRegistered event.");
    this.setPhase("completed", `model ${modelId} registered`, { modelId: modelId.toString(), metricsURI, adapterCID, manifestRoot: root });
    this.ctx.onModel?.({
      modelId,
      jobId: this.jobId,
      baseModel: p.spec.baseModel,
      adapterDir: trained.adapter_path,
      datanetIds: record.datanetIds,
    });
  }

  private async fail(error: unknown): Promise<void> {
    const cancelled = this.cancelled !== undefined || (error instanceof JobFailure && error.code === "CANCELLED");
    let reason =
      error instanceof JobFailure
        ? error.shortMessage
        : (outOfMemoryReason(error, this.summary.phase, this.ctx.config.memoryLimitMb) ??
          (error instanceof WorkerCrashedError || error instanceof WorkerCommandError
            ? `The model worker failed: ${describeError(error)}`
            : `Unexpected error: ${describeError(error)}`));
    if (cancelled) reason = this.cancelled ?? reason;
    reason = reason.slice(0, 500);
    this.log("error", reason);
    await this.postFailure(reason);
    this.setPhase(cancelled ? "cancelled" : "failed", reason, { failureReason: reason });
  }

  /**
   * Sends `failJob` so the failure reaches the builder on chain. A read or send that errors (the
   * RPC briefly away, a nonce race) is retried; every miss is logged, and after the last one the
   * job's lease expiring frees it. A job this node no longer holds is left alone.
   */
  private async postFailure(reason: string): Promise<void> {
    const attempts = 3;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const [, state, , trainer] = await this.ctx.chain.contracts.jobs.read.getJob([this.jobId]);
        if (state !== JobState.Claimed || trainer.toLowerCase() !== this.ctx.chain.account.address.toLowerCase()) {
          this.log("info", `failJob not sent: the job is no longer claimed by this node (state ${enumName(JobState, state) ?? state})`);
          return;
        }
        await this.ctx.chain.send(this.ctx.chain.contracts.jobs.address, trainingJobsAbi, "failJob", [this.jobId, reason]);
        return;
      } catch (error) {
        // A revert says the chain refuses this call; sending it again would not change that.
        const reverted = error instanceof ChainTxError && (error.code === "TX_REVERTED" || revertName(error.cause) !== undefined);
        const last = attempt === attempts || reverted;
        this.log(
          last ? "error" : "warn",
          `failJob, attempt ${attempt} of ${attempts}: ${describeError(error)}${last ? "; the job stays claimed until its lease expires" : "; retrying"}`,
        );
        if (last) return;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }
}
