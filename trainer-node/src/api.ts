// The node's HTTP API (docs/trainer-node-api.md): health, base models, pre-flight, jobs with
// live events, metrics, manifests, adapter downloads and model exports, SIWE sign-in and builder cancel.
import { createReadStream, existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { describeError, parseTrainingSpec, type BaseModelInfo, type NodeHealth, type PreflightReport } from "@modelfactory/sdk";
import { ApiError } from "./errors.ts";
import { Router, readJson, sendJson, startSse } from "./http.ts";
import { SiweAuth } from "./siwe.ts";
import { VERSION } from "./version.ts";
import type { Chain } from "./chain.ts";
import type { ChatService } from "./chat.ts";
import type { TrainerNodeConfig } from "./config.ts";
import type { JobRunner } from "./job-runner.ts";
import type { Journal } from "./journal.ts";
import type { ServedModels } from "./served-models.ts";
import { preflight, type PreflightContext } from "./preflight.ts";
import { WorkerClient } from "./worker-client.ts";
import { deviceMemory } from "./memory-fit.ts";
import type { InfoResult } from "./worker-protocol.ts";
import { ModelExports, parseExportFormat } from "./model-export.ts";
import { assertModelArtifactAccess } from "./model-access.ts";

export type ApiServer = { server: Server; url: string; auth: SiweAuth; router: Router; close: () => Promise<void> };

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/**
 * What the API serves from: the node's services, each only as far as the routes use it (a
 * TrainerNode is one; tests may assemble their own).
 */
export type ApiServices = PreflightContext & {
  readonly config: TrainerNodeConfig;
  readonly chain: Chain;
  readonly journal: Journal;
  readonly baseModels: BaseModelInfo[];
  readonly running: ReadonlyMap<string, Pick<JobRunner, "cancel">>;
  readonly served: ServedModels;
  readonly chat: Pick<ChatService, "models" | "complete" | "batcher">;
};

export async function startApi(node: ApiServices): Promise<ApiServer> {
  const { config } = node;
  const auth = new SiweAuth({ domain: new URL(config.publicUrl).host, chainId: node.chain.chainId, client: node.chain.publicClient });
  const router = new Router();
  const exports = new ModelExports({
    dataDir: config.dataDir,
    workerCommand: config.workerCommand,
    workerCwd: config.workerCwd,
    log: (m) => console.log(m),
  });
  const job = (id: string) => {
    if (!/^\d{1,30}$/.test(id)) throw new ApiError(400, "BAD_JOB_ID", `"${id}" is not a job id.`);
    const summary = node.journal.getJob(id);
    if (!summary) throw new ApiError(404, "JOB_NOT_FOUND", `Job ${id} is not known to this node.`);
    return summary;
  };
  const jobFile = (id: string, name: string) => path.join(config.dataDir, "jobs", job(id).jobId, name);
  // The device /health reports is the one a worker says it computes on: one `info` at start.
  let device: string | null = null;
  // Its memory too: what /health reports and pre-flight compares a spec's estimated peak with.
  let info: InfoResult | null = null;
  let closed = false;
  const probe = new WorkerClient({
    command: config.workerCommand,
    cwd: config.workerCwd,
    hangMs: config.workerHangMs,
    startMs: config.workerStartMs,
  });
  void probe
    .request("info", {})
    .then((answer) => {
      device = answer.compute_device;
      info = answer;
    })
    .catch((error: unknown) => closed || console.warn(`GET /health: the model worker did not report its device: ${describeError(error)}`))
    .finally(() => probe.close().catch(() => undefined));

  router
    .add("GET", "/health", (_req, res) => {
      const health: NodeHealth = {
        ok: true,
        version: VERSION,
        operator: node.chain.account.address,
        chainId: node.chain.chainId,
        device,
        memory: deviceMemory(info, config.memoryLimitMb),
        baseModels: node.baseModels,
        servedModels: [...node.served.keys()],
        jobsRunning: node.running.size,
      };
      sendJson(res, 200, health);
    })
    .add("GET", "/v1/base-models", (_req, res) => sendJson(res, 200, node.baseModels))
    .add("POST", "/v1/preflight", async (req, res) => {
      const body = (await readJson(req)) as { spec?: unknown } | null;
      let spec;
      try {
        spec = parseTrainingSpec(body?.spec);
      } catch (error) {
        throw new ApiError(400, "SPEC_INVALID", describeError(error));
      }
      const report: PreflightReport = await preflight(node, spec, info);
      sendJson(res, 200, report);
    })
    .add("GET", "/v1/jobs", (_req, res, _p, url) => {
      const builder = url.searchParams.get("builder") ?? undefined;
      sendJson(res, 200, node.journal.listJobs({ builder }));
    })
    .add("GET", "/v1/jobs/:jobId", (_req, res, p) => sendJson(res, 200, job(p.jobId!)))
    .add("GET", "/v1/jobs/:jobId/events", (req, res, p) => {
      const summary = job(p.jobId!);
      const lastId = Number(req.headers["last-event-id"] ?? new URL(req.url ?? "", "http://x").searchParams.get("after") ?? 0) || 0;
      const sse = startSse(res);
      let last = lastId;
      const send = (e: { seq: number; type: string }) => {
        if (e.seq <= last) return;
        last = e.seq;
        sse.send(e.type, e.seq, e);
      };
      const listener = (e: { seq: number; type: string }) => send(e);
      node.journal.events.on(`event:${summary.jobId}`, listener);
      for (const e of node.journal.eventsOf(summary.jobId, lastId)) send(e);
      res.on("close", () => node.journal.events.off(`event:${summary.jobId}`, listener));
    })
    .add("GET", "/v1/jobs/:jobId/metrics", async (_req, res, p) => {
      const file = jobFile(p.jobId!, "metrics.json");
      if (!existsSync(file)) throw new ApiError(404, "NOT_READY", `Job ${p.jobId} has no evaluation report yet.`);
      sendJson(res, 200, JSON.parse(await readFile(file, "utf8")));
    })
    .add("GET", "/v1/jobs/:jobId/manifest", async (_req, res, p) => {
      const file = jobFile(p.jobId!, "manifest.json");
      if (!existsSync(file)) throw new ApiError(404, "NOT_READY", `Job ${p.jobId} has no training manifest yet.`);
      sendJson(res, 200, JSON.parse(await readFile(file, "utf8")));
    })
    .add("GET", "/v1/models/:modelId/adapter", async (req, res, p) => {
      const served = node.served.get(p.modelId!);
      if (!served) throw new ApiError(404, "MODEL_NOT_FOUND", `Model ${p.modelId} is not served by this node.`);
      // A model trained on permissioned data: signed in, and its builder or a holder of train or
      // evaluate access on all its Datanets, read from the chain now. Open models: anyone.
      const caller = req.headers.authorization ? auth.authenticate(req.headers.authorization) : undefined;
      await assertModelArtifactAccess(node, caller, p.modelId!);
      const file = path.join(config.dataDir, "jobs", served.jobId.toString(), "adapter.tar");
      const size = (await stat(file)).size;
      res.writeHead(200, {
        "content-type": "application/x-tar",
        "content-length": size,
        "content-disposition": `attachment; filename="model-${p.modelId}-adapter.tar"`,
      });
      createReadStream(file).pipe(res);
    })
    .add("POST", "/v1/models/:modelId/exports", async (req, res, p) => {
      const caller = auth.authenticate(req.headers.authorization);
      const served = node.served.get(p.modelId!);
      if (!served) throw new ApiError(404, "MODEL_NOT_FOUND", `Model ${p.modelId} is not served by this node.`);
      const body = (await readJson(req, 4096)) as { format?: unknown } | null;
      const format = parseExportFormat(body?.format);
      // A merged model reproduces its training data as well as the adapter does: the same rule.
      await assertModelArtifactAccess(node, caller, p.modelId!);
      const status = await exports.request(
        { modelId: p.modelId!, baseModelDir: path.join(config.modelsDir, served.baseModel), adapterDir: served.adapterDir },
        format,
      );
      sendJson(res, status.state === "running" ? 202 : 200, exports.ticket(status));
    })
    .add("GET", "/v1/models/:modelId/exports/:format", (_req, res, p, url) => {
      const { file, fileName } = exports.redeem(p.modelId!, parseExportFormat(p.format), url.searchParams.get("ticket"));
      const type = fileName.endsWith(".tar") ? "application/x-tar" : "application/octet-stream";
      res.writeHead(200, { "content-type": type, "content-disposition": `attachment; filename="${fileName}"` });
      createReadStream(file).pipe(res);
    })
    .add("GET", "/v1/models", (req, res) => {
      auth.authenticate(req.headers.authorization);
      sendJson(res, 200, node.chat.models());
    })
    .add("POST", "/v1/chat/completions", async (req, res) => {
      const caller = auth.authenticate(req.headers.authorization);
      await node.chat.complete(caller, req, res);
    })
    .add("GET", "/v1/receipts/:receiptId", (_req, res, p) => {
      if (!/^0x[0-9a-fA-F]{64}$/.test(p.receiptId!))
        throw new ApiError(400, "BAD_RECEIPT_ID", `"${p.receiptId}" is not a receipt id (0x + 64 hex digits).`);
      const status = node.chat.batcher.status(p.receiptId as `0x${string}`);
      if (!status) throw new ApiError(404, "RECEIPT_NOT_FOUND", `Receipt ${p.receiptId} is not known to this node.`);
      sendJson(res, 200, status);
    })
    .add("GET", "/auth/nonce", (_req, res) => sendJson(res, 200, { nonce: auth.nonce() }))
    .add("POST", "/auth/verify", async (req, res) => {
      const body = (await readJson(req, 16 * 1024)) as { message?: unknown; signature?: unknown } | null;
      sendJson(res, 200, await auth.verify(body?.message, body?.signature));
    })
    .add("POST", "/v1/jobs/:jobId/cancel", (req, res, p) => {
      const caller = auth.authenticate(req.headers.authorization);
      const summary = job(p.jobId!);
      if (summary.builder.toLowerCase() !== caller.toLowerCase())
        throw new ApiError(403, "FORBIDDEN", "Only the job's builder can cancel it.");
      if (TERMINAL.has(summary.phase)) throw new ApiError(409, "JOB_FINISHED", `Job ${summary.jobId} already ${summary.phase}.`);
      const runner = node.running.get(summary.jobId);
      if (!runner) throw new ApiError(409, "NOT_RUNNING", `Job ${summary.jobId} is not running on this node.`);
      runner.cancel("Cancelled by the builder.");
      sendJson(res, 202, { jobId: summary.jobId, cancelling: true });
    });

  const server = createServer((req, res) => void router.handle(req, res, config.corsOrigins));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.apiPort, config.apiHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${config.apiHost}:${port}`,
    auth,
    router,
    close: () =>
      new Promise((resolve) => {
        closed = true;
        probe.kill();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { TERMINAL };
