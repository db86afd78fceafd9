// Chat with attribution on a real stack: SIWE sign-in (and its refusals), citations that point
// at the retrieved contribution text and carry the effect the worker measured (weights from it,
// passages without an effect "retrieved, not used" and left out of the receipt), retrieval limited
// to Datanets the caller may retrieve from, receipts that verify against the on-chain batch root,
// withdrawn contributions never cited again, and OpenAI-style streaming.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createSiweMessage } from "viem/siwe";
import {
  Scope,
  leafFromJson,
  verifyReceiptCall,
  type ChatAttribution,
  type Citation,
  type JobSummary,
  type ReceiptStatus,
} from "@modelfactory/sdk";
import { startApi, type ApiServer } from "../src/api.ts";

import { effectWeights, NOT_USED_NATS } from "../src/rag/index.ts";
import { TrainerNode } from "../src/trainer-node.ts";
import { eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

type Completion = {
  choices: { message: { content: string } }[];
  usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } };
  modelfactory: ChatAttribution;
};

/** Every citation carries a measured effect, and the weights are the ones its effects give. */
function assertMeasured(citations: readonly Citation[]): void {
  for (const c of citations) {
    const e = c.effect;
    assert.ok(e, `citation ${c.rank} carries its measured effect`);
    assert.ok(Number.isFinite(e.logProbDrop) && Number.isFinite(e.surrogateWeight), JSON.stringify(e));
    assert.equal(e.method, "leave-one-out", "four passages: every one left out once");
    assert.equal(e.surrogateWeight, e.logProbDrop, "leave-one-out's exact surrogate weight is the drop");
    if (e.ratio !== null) assert.ok(Math.abs(e.ratio - Math.exp(e.logProbDrop)) <= 1e-3 * e.ratio);
    assert.equal(e.used, e.logProbDrop > NOT_USED_NATS && c.weight > 0);
    assert.equal(c.weight > 0, e.used, "a passage is paid exactly when it was used");
    assert.match(
      c.publicReason,
      e.used ? /^Without this passage the answer becomes .+ (less|more) likely \(log-likelihood/ : /^Retrieved, not used: /,
    );
  }
  assert.deepEqual(
    citations.map((c) => c.weight),
    effectWeights(citations.map((c) => c.effect!)),
  );
  assert.ok(citations.reduce((n, c) => n + c.weight, 0) <= 10_000);
}

describe("chat with attribution", { timeout: 600_000 }, () => {
  let stack: Stack;
  let node: TrainerNode;
  let api: ApiServer;
  let open: bigint;
  let gated: bigint;
  let boiler: bigint;
  let modelId: string;

  const signIn = (who: keyof Stack["wallets"], expirationTime?: Date) => stack.signIn(api.url, who, expirationTime);

  async function chat(token: string, content: string, extra: Record<string, unknown> = {}): Promise<Completion> {
    const res = await fetch(`${api.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: `model-${modelId}`, messages: [{ role: "user", content }], max_tokens: 12, ...extra }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Completion;
  }

  before(async () => {
    stack = await startStack();
    const modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    open = await stack.createDatanet(0, 0);
    gated = await stack.createDatanet(1, 0);
    await stack.contribute(open, qaJsonl("fan", 6));
    boiler = await stack.contribute(gated, qaJsonl("boiler", 6));
    await stack.contribute(gated, qaJsonl("pump", 6));
    await stack.grantBySignature(gated, Scope.Train | Scope.Retrieve);
    node = new TrainerNode(await stack.nodeConfig("trainer", modelsDir), () => undefined);
    await node.start();
    api = await startApi(node);
    const jobId = await stack.createJob([open, gated], {}, { epochs: 1 });
    const done = await eventually(
      "completion",
      async () => {
        const s = node.journal.getJob(jobId.toString()) as JobSummary | undefined;
        if (s?.phase === "failed") throw new Error(s.failureReason ?? "failed");
        return s?.phase === "completed" ? s : undefined;
      },
      300_000,
    );
    modelId = done.modelId!;
  });
  after(async () => {
    await node?.stop();
    await api?.close();
    await stack?.stop();
  });

  it("refuses chat without a session, with a bad signature, a reused nonce or an expired session", async () => {
    const noAuth = await fetch(`${api.url}/v1/chat/completions`, { method: "POST", body: "{}" });
    assert.equal(noAuth.status, 401);
    const { nonce } = (await (await fetch(`${api.url}/auth/nonce`)).json()) as { nonce: string };
    const w = stack.wallets.builder;
    const message = createSiweMessage({
      domain: "127.0.0.1:8787",
      address: w.account.address,
      uri: "http://127.0.0.1:8787",
      version: "1",
      chainId: 31337,
      nonce,
    });
    const forged = await stack.wallets.other.signMessage({ message });
    const bad = await fetch(`${api.url}/auth/verify`, { method: "POST", body: JSON.stringify({ message, signature: forged }) });
    assert.equal(bad.status, 401);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /does not match/);
    const good = await fetch(`${api.url}/auth/verify`, {
      method: "POST",
      body: JSON.stringify({ message, signature: await w.signMessage({ message }) }),
    });
    assert.equal(good.status, 200);
    const replay = await fetch(`${api.url}/auth/verify`, {
      method: "POST",
      body: JSON.stringify({ message, signature: await w.signMessage({ message }) }),
    });
    assert.equal(replay.status, 401, "a nonce works once");
    const wrongDomain = createSiweMessage({
      domain: "evil.example",
      address: w.account.address,
      uri: "https://evil.example",
      version: "1",
      chainId: 31337,
      nonce: ((await (await fetch(`${api.url}/auth/nonce`)).json()) as { nonce: string }).nonce,
    });
    assert.equal(
      (
        await fetch(`${api.url}/auth/verify`, {
          method: "POST",
          body: JSON.stringify({ message: wrongDomain, signature: await w.signMessage({ message: wrongDomain }) }),
        })
      ).status,
      401,
    );
    const shortLived = await signIn("builder", new Date(Date.now() + 1500));
    await new Promise((r) => setTimeout(r, 1700));
    const expired = await fetch(`${api.url}/v1/models`, { headers: { authorization: `Bearer ${shortLived}` } });
    assert.equal(expired.status, 401);
    assert.match(((await expired.json()) as { error: { message: string } }).error.message, /expired/);
  });

  it("lists the model and its base for signed-in callers", async () => {
    const token = await signIn("builder");
    const list = (await (await fetch(`${api.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      data: { id: string }[];
    };
    assert.deepEqual(
      list.data.map((m) => m.id),
      [`model-${modelId}`, `model-${modelId}:base`],
    );
  });

  it("cites the contributions whose text was retrieved, with exact spans", async () => {
    const token = await signIn("builder");
    const answer = await chat(token, "What does the boiler manual say about step 3?");
    const citations = answer.modelfactory.citations;
    assert.ok(citations.length > 0, "has citations");
    const top = citations[0]!;
    assert.equal(top.contributionId, boiler.toString());
    assert.equal(top.datanetId, gated.toString());
    assert.match(top.passage.text, /boiler manual say about step 3\?/);
    for (const c of citations) for (const s of c.sourceSpans) assert.ok(s.start >= 0 && s.end <= c.passage.text.length && s.start < s.end);
    assert.ok(top.sourceSpans.some((s) => top.passage.text.slice(s.start, s.end).toLowerCase().includes("boiler")));
    assert.match(top.reason, /\w/);
    assertMeasured(citations);
  });

  it("never retrieves from a Datanet the caller holds no retrieve access to", async () => {
    const token = await signIn("other");
    const answer = await chat(token, "What does the boiler manual say about step 3?");
    assert.ok(answer.modelfactory.citations.length > 0, "the open Datanet's passages are still retrieved");
    assert.ok(
      answer.modelfactory.citations.every((c) => c.datanetId === open.toString()),
      JSON.stringify(answer.modelfactory.citations.map((c) => c.datanetId)),
    );
    const fan = await chat(token, "What does the fan manual say about step 2?");
    assert.ok(
      fan.modelfactory.citations.some((c) => c.datanetId === open.toString()),
      "open Datanet still retrievable",
    );
  });

  it("posts receipts on chain and their proofs verify against the batch root", async () => {
    const token = await signIn("builder");
    const answer = await chat(token, "What does the pump manual say about step 1?");
    const receiptId = answer.modelfactory.receiptId!;
    await node.chat.batcher.flush();
    const status = (await (await fetch(`${api.url}/v1/receipts/${receiptId}`)).json()) as ReceiptStatus;
    assert.equal(status.status, "posted");
    assertMeasured(answer.modelfactory.citations);
    // The receipt pays the passages that shaped the answer: the used ones, with the weights shown.
    const used = answer.modelfactory.citations.filter((c) => c.effect!.used);
    assert.deepEqual(
      status.receipt.citations.map((c) => [c.contributionId, c.weight, c.reason]),
      used.map((c) => [c.contributionId, c.weight, c.publicReason]),
    );
    const leaf = leafFromJson(status.leaf);
    assert.deepEqual(
      leaf.weights.reduce((a, b) => a + b, 0),
      used.reduce((a, c) => a + c.weight, 0),
    );
    // viem needs the one verifyReceipt overload that fits the leaf (verifyReceiptCall picks it).
    const onChain = (r: typeof leaf) =>
      stack.publicClient.readContract({
        address: stack.contracts.ledger.address,
        ...verifyReceiptCall(BigInt(status.batchId!), r, status.proof!),
      });
    assert.equal(await onChain(leaf), true);
    assert.equal((await stack.contracts.ledger.read.batchOf([status.root!]))[0], BigInt(status.batchId!));
    // A node paying a passage it retrieved but did not use (or paying more) does not verify.
    const forged = { ...leaf, contributionIds: [...leaf.contributionIds, boiler], weights: [...leaf.weights.map(() => 0), 1] };
    assert.equal(await onChain(forged), false);
  });

  it("never cites a contribution after it is withdrawn", async () => {
    const token = await signIn("builder");
    await stack.tx(
      "contributor",
      stack.deployment.contracts.DatanetRegistry.address,
      stack.contracts.datanets.abi,
      "withdrawContribution",
      [boiler],
    );
    const answer = await chat(token, "What does the boiler manual say about step 3?");
    assert.ok(answer.modelfactory.citations.length > 0, "other contributions are still cited");
    assert.ok(answer.modelfactory.citations.every((c) => c.contributionId !== boiler.toString()));
  });

  it("streams tokens OpenAI-style and ends with the attribution", async () => {
    const token = await signIn("builder");
    const res = await fetch(`${api.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({
        model: `model-${modelId}`,
        messages: [{ role: "user", content: "What does the pump manual say about step 2?" }],
        max_tokens: 8,
        stream: true,
      }),
    });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const text = await res.text();
    const chunks = text
      .split("\n\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => l.slice(6));
    assert.equal(chunks.at(-1), "[DONE]");
    const last = JSON.parse(chunks.at(-2)!) as { modelfactory: ChatAttribution; choices: { finish_reason: string }[] };
    assert.ok(last.modelfactory.receiptId);
    assertMeasured(last.modelfactory.citations);
    assert.ok(["stop", "length"].includes(last.choices[0]!.finish_reason));
    assert.ok(chunks.slice(1, -2).length > 0, "tokens were streamed before the attribution");
    assert.ok(
      chunks
        .slice(1, -2)
        .every((c) => typeof (JSON.parse(c) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content === "string"),
    );
  });

  it("serves a repeated context from the KV prefix cache and says how much of the prompt it reused", async () => {
    const token = await signIn("builder");
    const question = "Which pressure does the boiler manual give for step 2?";
    const first = await chat(token, question);
    const again = await chat(token, question);
    assert.equal(again.choices[0]!.message.content, first.choices[0]!.message.content);
    // Everything but the prompt's last token, whose logits start the answer, comes from the cache.
    assert.equal(again.usage.prompt_tokens, first.usage.prompt_tokens);
    assert.equal(again.usage.prompt_tokens_details.cached_tokens, again.usage.prompt_tokens - 1);
  });

  it("answers bad requests with a clear error", async () => {
    const token = await signIn("builder");
    const post = (body: unknown) =>
      fetch(`${api.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const unknown = await post({ model: "model-999", messages: [{ role: "user", content: "hi" }] });
    assert.equal(unknown.status, 404);
    const noUser = await post({ model: `model-${modelId}`, messages: [{ role: "system", content: "x" }] });
    assert.equal(noUser.status, 400);
    assert.match(((await noUser.json()) as { error: { message: string } }).error.message, /user message/);
    const badTemp = await post({ model: `model-${modelId}`, messages: [{ role: "user", content: "x" }], temperature: 9 });
    assert.match(((await badTemp.json()) as { error: { message: string } }).error.message, /temperature/);
  });
});
