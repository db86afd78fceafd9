// OpenAI-compatible chat over the models this node trained: retrieval over the Datanets the
// caller holds retrieve access to, generation from base + adapter in a serving worker (several
// adapters over one loaded base), citations weighted by each passage's measured effect on the
// answer (context ablation in the same worker) with lexical spans and reasons, the training
// contributions that shaped it through fine-tuning (training-influence.ts), and a receipt per
// answer, batched under a Merkle root on chain. The request format is chat-request.ts, the
// serving workers serving-workers.ts; this file is the retrieve → generate → attribute → receipt
// pipeline.
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { Address } from "viem";
import type { ContentStore } from "@modelfactory/sdk/node";
import {
  ContributionStatus,
  MAX_TRAINING_INFLUENCES,
  MIN_INFLUENCE_SCORE,
  Scope,
  buildReceipt,
  datanetRegistryAbi,
  describeError,
  type ChatAttribution,
  type Citation,
  type TrainingInfluence,
} from "@modelfactory/sdk";
import { ApiError } from "./errors.ts";
import { parseChatRequest, type Message } from "./chat-request.ts";
import { readJson, sendJson } from "./http.ts";
import { attribute, effectsFromWorker, type ContextParts, type RetrievedPassage } from "./rag/index.ts";
import { SERVED_PASSAGES, servedMessages, sourcesPrompt } from "./rag/prompt.ts";
import { ReceiptBatcher, attributionLedgerPoster } from "./receipts/index.ts";
import type { Chain } from "./chain.ts";
import type { TrainerNodeConfig } from "./config.ts";
import { RetrievalSync } from "./retrieval-sync.ts";
import type { ServedModel, ServedModels } from "./served-models.ts";
import { InfluenceIndexes, trainingInfluences } from "./training-influence.ts";
import { ServingWorkers, type ServingWorker } from "./serving-workers.ts";
import type { GenerateResult } from "./worker-protocol.ts";

export { SYSTEM_PROMPT } from "./rag/prompt.ts";
export { parseChatRequest, type ChatRequest } from "./chat-request.ts";

/** What the chat service uses of the node: its chain and content store, the served models, the
 * settings of its serving workers and receipt batches, and where its warnings go. */
export type ChatContext = {
  chain: Chain;
  store: ContentStore;
  served: ServedModels;
  config: Pick<
    TrainerNodeConfig,
    "dataDir" | "modelsDir" | "receiptBatchSize" | "receiptBatchMs" | "workerCommand" | "workerCwd" | "workerHangMs" | "workerStartMs"
  >;
  log: (message: string) => void;
};

export class ChatService {
  readonly retrieval: RetrievalSync;
  readonly batcher: ReceiptBatcher;
  readonly influenceIndexes: InfluenceIndexes;
  private readonly ctx: ChatContext;
  private readonly workers: ServingWorkers;
  private readonly accessCache = new Map<string, { ok: boolean; until: number }>();

  private constructor(ctx: ChatContext, batcher: ReceiptBatcher) {
    this.ctx = ctx;
    this.workers = new ServingWorkers(ctx.config);
    this.batcher = batcher;
    this.retrieval = new RetrievalSync(ctx.chain, ctx.store, ctx.log);
    this.influenceIndexes = new InfluenceIndexes({ chain: ctx.chain, store: ctx.store, dataDir: ctx.config.dataDir, log: ctx.log });
  }

  static async open(ctx: ChatContext): Promise<ChatService> {
    const { chain, config } = ctx;
    const batcher = await ReceiptBatcher.open({
      dataDir: path.join(config.dataDir, "receipts"),
      contentStore: ctx.store,
      maxReceipts: config.receiptBatchSize,
      maxDelayMs: config.receiptBatchMs,
      ...attributionLedgerPoster({
        publicClient: chain.publicClient,
        walletClient: chain.walletClient as never,
        address: chain.contracts.ledger.address,
        fromBlock: chain.startBlock,
        submitted: chain.submitted,
      }),
      onError: (e) => ctx.log(`receipts: ${e.shortMessage}`),
    });
    return new ChatService(ctx, batcher);
  }

  /** Keeps the retrieval index current; called on every node poll. */
  async sync(): Promise<void> {
    if (this.ctx.served.size) await this.retrieval.sync(this.ctx.served.values());
  }

  /** OpenAI `GET /v1/models`. */
  models() {
    return {
      object: "list",
      data: [...this.ctx.served.values()].flatMap((m) => [
        {
          id: `model-${m.modelId}`,
          object: "model",
          created: 0,
          owned_by: "modelfactory",
          base_model: m.baseModel,
          datanet_ids: m.datanetIds.map(String),
        },
        {
          id: `model-${m.modelId}:base`,
          object: "model",
          created: 0,
          owned_by: "modelfactory",
          base_model: m.baseModel,
          datanet_ids: m.datanetIds.map(String),
        },
      ]),
    };
  }

  private resolve(id: string): { model: ServedModel; adapter: boolean } {
    const m = /^model-(\d+)(:base)?$/.exec(id);
    const model = m ? this.ctx.served.get(m[1]!) : undefined;
    if (!model) throw new ApiError(404, "MODEL_NOT_FOUND", `Model "${id}" is not served by this node; see GET /v1/models.`);
    return { model, adapter: !m![2] };
  }

  private async allowedDatanets(caller: Address, datanetIds: bigint[]): Promise<bigint[]> {
    const out: bigint[] = [];
    for (const d of datanetIds) {
      const key = `${d}:${caller.toLowerCase()}`;
      const cached = this.accessCache.get(key);
      let ok = cached && cached.until > Date.now() ? cached.ok : undefined;
      if (ok === undefined) {
        ok = await this.ctx.chain.publicClient.readContract({
          address: this.ctx.chain.contracts.datanets.address,
          abi: datanetRegistryAbi,
          functionName: "hasAccess",
          args: [d, caller, Scope.Retrieve],
        });
        this.accessCache.set(key, { ok, until: Date.now() + 5000 });
      }
      if (ok) out.push(d);
    }
    return out;
  }

  /** Drops retrieved passages whose contribution is no longer accepted on chain (checked now). */
  private async stillAccepted(retrieved: RetrievedPassage[]): Promise<RetrievedPassage[]> {
    const ids = [...new Set(retrieved.map((r) => r.contribution.contributionId))];
    const statuses = await Promise.all(
      ids.map((id) =>
        this.ctx.chain.publicClient.readContract({
          address: this.ctx.chain.contracts.datanets.address,
          abi: datanetRegistryAbi,
          functionName: "contributionStatus",
          args: [BigInt(id)],
        }),
      ),
    );
    const gone = new Set(ids.filter((_, i) => statuses[i] !== ContributionStatus.Accepted));
    for (const id of gone) this.retrieval.remove(BigInt(id));
    return retrieved.filter((r) => !gone.has(r.contribution.contributionId)).map((r, i) => ({ ...r, rank: i + 1 }));
  }

  /** `POST /v1/chat/completions` for an authenticated caller. */
  async complete(caller: Address, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseChatRequest(await readJson(req, 256 * 1024));
    const { model, adapter } = this.resolve(body.model);
    const question = [...body.messages].reverse().find((m) => m.role === "user")!.content;
    await this.sync();
    const allowed = body.retrieve ? await this.allowedDatanets(caller, this.retrieval.retrievable(model.modelId, model.datanetIds)) : [];
    // Search deeper than the four passages used, so contributions found withdrawn on chain at
    // answer time (before the index has purged them) do not leave the answer without sources.
    const retrieved = allowed.length
      ? (await this.stillAccepted(this.retrieval.index.search(question, allowed, 12))).slice(0, SERVED_PASSAGES)
      : [];
    // The prompt in parts (rag/prompt.ts, which retrieval-augmented training writes its records
    // with): attribution rebuilds it with passages removed, exactly as served here.
    const prompt = sourcesPrompt(retrieved);
    const context = prompt?.context ?? null;
    const before = prompt?.before ?? "";
    const conversation = body.messages.filter((m) => m.role !== "system");
    const messages: Message[] = servedMessages(prompt, body.messages);
    const id = `chatcmpl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const created = Math.floor(Date.now() / 1000);
    const server = await this.workers.for(model);
    if (body.stream) {
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }] })}\n\n`,
      );
    }
    const run = server.queue.then(() =>
      server.worker.request(
        "generate",
        {
          messages,
          adapter: adapter ? `model-${model.modelId}` : null,
          max_new_tokens: body.maxTokens,
          temperature: body.temperature,
          top_p: body.topP,
          stop: body.stop,
          stream: body.stream,
        },
        {
          onEvent: (e) => {
            if (body.stream) {
              res.write(
                `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta: { content: e.text }, finish_reason: null }] })}\n\n`,
              );
            }
          },
        },
      ),
    );
    server.queue = run.catch(() => undefined);
    let result: GenerateResult;
    try {
      result = await run;
    } catch (error) {
      if (!body.stream) throw error;
      res.write(
        `data: ${JSON.stringify({ error: { code: "GENERATION_FAILED", message: error instanceof Error ? error.message : String(error) } })}\n\n`,
      );
      res.end();
      return;
    }
    const answer = result.text;
    let citations: Citation[];
    try {
      citations = await this.cite(server, {
        question,
        answer,
        context,
        before,
        conversation,
        adapter: adapter ? `model-${model.modelId}` : null,
      });
    } catch (error) {
      const message = `The answer's sources could not be measured: ${error instanceof Error ? error.message : String(error)}`;
      if (!body.stream) throw new ApiError(500, "ATTRIBUTION_FAILED", message);
      res.write(`data: ${JSON.stringify({ error: { code: "ATTRIBUTION_FAILED", message } })}\n\n`);
      res.end();
      return;
    }
    // The base model was not fine-tuned: nothing shaped its answer through training.
    const influence = adapter
      ? await this.influence(server, caller, model, conversation, answer)
      : { influences: [], note: "The base model was not fine-tuned, so no training contribution shaped this answer." };
    const training = { trainingInfluences: influence.influences, ...(influence.note ? { trainingInfluenceNote: influence.note } : {}) };
    let attribution: ChatAttribution | undefined;
    if (adapter) {
      // The receipt (and so the chain) pays the passages that shaped the answer; one retrieved but
      // not used stays in the chat's answer, weight 0, and is not posted as a citation.
      // The receipt commits to the training influences as their own list (ids and scores, no text).
      const { document } = buildReceipt({
        modelId: model.modelId,
        question,
        answer,
        citations: citations.filter((c) => c.weight > 0),
        trainingInfluences: influence.influences,
      });
      await this.batcher.add(document);
      attribution = { receiptId: document.receiptId, modelId: model.modelId.toString(), citations, ...training };
    } else {
      attribution = { receiptId: null, modelId: model.modelId.toString(), citations, ...training };
    }
    // OpenAI's "stop" is a natural end: the model's end-of-sequence token or a stop sequence.
    const finish = result.finish_reason === "length" ? "length" : "stop";
    const { usage } = result;
    // OpenAI's shape: prompt_tokens_details.cached_tokens counts the prompt tokens served from the KV prefix cache.
    const usageOut = {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.prompt_tokens + usage.completion_tokens,
      prompt_tokens_details: { cached_tokens: usage.cached_tokens },
    };
    if (body.stream) {
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: finish }], usage: usageOut, modelfactory: attribution })}\n\n`,
      );
      res.write("data: [DONE]\n\n");
      res.end();
    } else {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: answer }, finish_reason: finish }],
        usage: usageOut,
        modelfactory: attribution,
      });
    }
  }

  /**
   * Citations for an answer: the worker measures each passage's effect on the answer's likelihood
   * (leave-one-out over the prompt exactly as served), and the weights come from it; the lexical
   * match explains it. Queued on the serving worker like generation.
   */
  private async cite(
    server: ServingWorker,
    input: {
      question: string;
      answer: string;
      context: ContextParts | null;
      before: string;
      conversation: Message[];
      adapter: string | null;
    },
  ): Promise<Citation[]> {
    const { context, answer } = input;
    // No passage in the prompt, or no answer text to attribute: nothing shaped it from the sources.
    if (!context || context.included.length === 0 || answer.trim() === "") return [];
    const run = server.queue.then(() =>
      server.worker.request("attribute", {
        sources: { before: input.before, passages: context.blocks, after: "" },
        messages: input.conversation.map((m) => ({ role: m.role, content: m.content })),
        answer,
        adapter: input.adapter,
      }),
    );
    server.queue = run.catch(() => undefined);
    const effects = effectsFromWorker(await run, context.blocks.length);
    return attribute({ question: input.question, answer, retrieved: context.included, effects });
  }

  /**
   * The training contributions that shaped `answer` (training-influence.ts): one `influence` call
   * on the serving worker, over the conversation as the caller sent it (training records carry no
   * retrieved sources). Listed only from Datanets the caller may retrieve from now, and that the
   * model may still retrieve from (its builder's access), contributions still accepted on chain:
   * access loss stops it as it stops retrieval. A failure leaves the list empty with a note; the
   * answer and its citations stand.
   */
  private async influence(
    server: ServingWorker,
    caller: Address,
    model: ServedModel,
    conversation: Message[],
    answer: string,
  ): Promise<{ influences: TrainingInfluence[]; note?: string }> {
    if (answer.trim() === "") return { influences: [], note: "The answer is empty: there is nothing to attribute." };
    const index = await this.influenceIndexes.of(model);
    if (index.path === null) return { influences: [], note: `Training influence is not measured for this model: ${index.reason}.` };
    const allowed = new Set((await this.allowedDatanets(caller, this.retrieval.retrievable(model.modelId, model.datanetIds))).map(String));
    if (allowed.size === 0)
      return {
        influences: [],
        note: "You hold retrieve access to none of this model's Datanets now, so no training contribution is listed.",
      };
    const indexPath = index.path;
    try {
      const run = server.queue.then(() =>
        server.worker.request("influence", {
          adapter: `model-${model.modelId}`,
          index: indexPath,
          messages: conversation.map((m) => ({ role: m.role, content: m.content })),
          answer,
          top: index.entry.contributions,
        }),
      );
      server.queue = run.catch(() => undefined);
      const { ranking } = await run;
      const meta = (id: string) => {
        const m = this.retrieval.index.contribution(id);
        return m && allowed.has(m.datanetId) ? m : undefined;
      };
      // Of the candidates, those withdrawn or rejected on chain since the last sync are dropped now.
      const candidates = ranking
        .filter((r) => r.score >= MIN_INFLUENCE_SCORE && meta(r.contribution))
        .slice(0, 2 * MAX_TRAINING_INFLUENCES);
      const statuses = await Promise.all(
        candidates.map((r) =>
          this.ctx.chain.publicClient.readContract({
            address: this.ctx.chain.contracts.datanets.address,
            abi: datanetRegistryAbi,
            functionName: "contributionStatus",
            args: [BigInt(r.contribution)],
          }),
        ),
      );
      const gone = new Set(candidates.filter((_, i) => statuses[i] !== ContributionStatus.Accepted).map((r) => r.contribution));
      for (const id of gone) this.retrieval.remove(BigInt(id));
      const influences = trainingInfluences(ranking, (id) => (gone.has(id) ? undefined : meta(id)));
      if (influences.length > 0) return { influences };
      // None counts as influence: say how close the closest one the caller may see came.
      const closest = ranking.find((r) => !gone.has(r.contribution) && meta(r.contribution));
      return {
        influences,
        note: closest
          ? `No training contribution measurably shaped this answer: the closest you may see, contribution ${closest.contribution} of Datanet ${meta(closest.contribution)!.datanetId}, aligned ${closest.score.toFixed(2)} with it, under the ${MIN_INFLUENCE_SCORE.toFixed(2)} that counts as influence.`
          : "No training contribution you may see measurably shaped this answer.",
      };
    } catch (error) {
      this.ctx.log(`training influence of model ${model.modelId}: ${describeError(error)}`);
      return { influences: [], note: `Training influence could not be measured for this answer: ${describeError(error)}` };
    }
  }

  async close(): Promise<void> {
    await this.workers.close();
    await this.batcher.close();
  }
}
