// Streaming chat with a completed model (optionally side by side with another, e.g. the base
// model), with each answer's citations and an on-chain check of its receipt.
import { useMemo, useRef, useState, type FormEvent } from "react";
import type { ChatAttribution } from "@modelfactory/sdk";
import { useModels } from "../../data/hooks/useModels.ts";
import { useServedModels } from "../../data/hooks/useServedModels.ts";
import { useTrainerNodes } from "../../data/hooks/useTrainerNodes.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { streamChat, type ChatMessage } from "../../lib/trainer-api.ts";
import { navigate, useParams } from "../../router/router.tsx";
import { PageHeader } from "../../ui/bits.tsx";
import { Empty, Loading } from "../../ui/states.tsx";
import { useTrainerSession } from "../../wallet/use-trainer-session.ts";
import { WalletGate } from "../../wallet/WalletGate.tsx";
import { CitationsPanel } from "./CitationsPanel.tsx";
import { Highlighted } from "./highlight.tsx";

type Turn = {
  question: string;
  answer: string;
  compare: string | null;
  attribution: ChatAttribution | null;
  error: string | null;
  done: boolean;
};

export default function ChatPage() {
  const { modelId = "" } = useParams();
  const models = useModels();
  const nodes = useTrainerNodes();
  const ownTrainer = models.data?.find((m) => m.id === modelId)?.trainer.endpoint ?? null;
  // The model's own trainer first (its endpoint is on chain, in the index), else another live
  // node that says it serves the model; never just any node, whose receipts would be for nothing.
  const node = useMemo(() => {
    const live = (nodes.data ?? []).filter((n) => n.health?.ok);
    const own = ownTrainer ? live.find((n) => n.url.replace(/\/$/, "") === ownTrainer.replace(/\/$/, "")) : undefined;
    return (own ?? live.find((n) => n.health!.servedModels.includes(modelId)))?.url ?? null;
  }, [nodes.data, modelId, ownTrainer]);
  const session = useTrainerSession(node);
  const served = useServedModels(node, session.token);
  const [compareWith, setCompareWith] = useState("");
  const [turns, setTurns] = useState<Turn[]>([]);
  const [input, setInput] = useState("");
  const [active, setActive] = useState<number | null>(null);
  const [signInError, setSignInError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const busy = turns.length > 0 && !turns[turns.length - 1]!.done;
  const last = turns[turns.length - 1];

  const ask = async (e: FormEvent) => {
    e.preventDefault();
    const question = input.trim();
    if (!question || !node || !modelId || busy) return;
    setInput("");
    setActive(null);
    const history: ChatMessage[] = turns.flatMap((t) => [
      { role: "user" as const, content: t.question },
      { role: "assistant" as const, content: t.answer },
    ]);
    const messages: ChatMessage[] = [...history, { role: "user", content: question }];
    setTurns((t) => [...t, { question, answer: "", compare: compareWith ? "" : null, attribution: null, error: null, done: false }]);
    const update = (f: (t: Turn) => Turn) => setTurns((all) => [...all.slice(0, -1), f(all[all.length - 1]!)]);
    abort.current = new AbortController();
    try {
      const token = session.token ?? (await session.signIn());
      const main = streamChat(
        node,
        token,
        { model: `model-${modelId}`, messages },
        (d) => update((t) => ({ ...t, answer: t.answer + d })),
        abort.current.signal,
      );
      const other = compareWith
        ? streamChat(
            node,
            token,
            { model: compareWith, messages },
            (d) => update((t) => ({ ...t, compare: (t.compare ?? "") + d })),
            abort.current.signal,
          )
        : null;
      const result = await main;
      await other?.catch(() => null);
      update((t) => ({ ...t, attribution: result.attribution, done: true }));
    } catch (err) {
      update((t) => ({ ...t, error: errorSentence(err), done: true }));
    }
  };

  const activeCitation = last?.attribution?.citations.find((c) => c.rank === active);
  return (
    <>
      <PageHeader
        title="Chat"
        subtitle="Answers from a fine-tuned model, each with the contributions it drew on and a receipt you can check on chain."
      >
        <label className="row">
          <span>Model</span>
          <select className="input" value={modelId} onChange={(e) => navigate(`/chat/${e.target.value}`)} aria-label="Model">
            <option value="">Choose a model…</option>
            {(models.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                Model #{m.id} (job #{m.job.id})
              </option>
            ))}
          </select>
        </label>
        {served.data ? (
          <label className="row">
            <span>Compare with</span>
            <select className="input" value={compareWith} onChange={(e) => setCompareWith(e.target.value)} aria-label="Compare with">
              <option value="">nothing</option>
              {[...new Set([`model-${modelId}:base`, ...served.data.data.map((m) => m.id)])]
                .filter((m) => m !== `model-${modelId}`)
                .map((m) => (
                  <option key={m} value={m}>
                    {m.endsWith(":base") ? "the base model" : m}
                  </option>
                ))}
            </select>
          </label>
        ) : null}
      </PageHeader>
      {!modelId ? (
        models.isPending ? (
          <Loading />
        ) : (
          <Empty title="Choose a model to chat with.">{models.data?.length === 0 ? "No model has been trained yet." : null}</Empty>
        )
      ) : (
        <WalletGate reason="to sign in to the trainer node">
          {!node ? (
            nodes.isPending ? (
              <Loading label="Finding a trainer node…" />
            ) : (
              <Empty title="No trainer node serving this model is reachable." />
            )
          ) : !session.token ? (
            <div className="state state-empty">
              <strong>Sign in to the trainer node at {new URL(node).host} with your wallet (Sign-In with Ethereum).</strong>
              <button
                className="btn btn-primary"
                disabled={session.pending}
                onClick={() => void session.signIn().catch((e) => setSignInError(errorSentence(e)))}
              >
                {session.pending ? "Signing in…" : "Sign in"}
              </button>
              {signInError ? <span className="field-error">{signInError}</span> : null}
            </div>
          ) : (
            <div className="chat">
              <section className="panel">
                <div className="messages" aria-live="polite" data-testid="messages">
                  {turns.length === 0 ? <p className="hint">Ask something the Datanets behind model #{modelId} know about.</p> : null}
                  {turns.map((t, i) => (
                    <div key={i} style={{ display: "contents" }}>
                      <div className="msg msg-user">{t.question}</div>
                      <div className={t.compare !== null ? "msg-compare" : undefined}>
                        <div className="msg msg-assistant" data-testid="answer">
                          {t.compare !== null ? <div className="record-role">model #{modelId}</div> : null}
                          {i === turns.length - 1 && activeCitation ? (
                            <Highlighted text={t.answer} spans={activeCitation.answerSpans} active />
                          ) : (
                            t.answer
                          )}
                          {!t.done ? <span className="spinner" aria-label="Answer streaming" /> : null}
                        </div>
                        {t.compare !== null ? (
                          <div className="msg msg-assistant">
                            <div className="record-role">{compareWith}</div>
                            {t.compare}
                          </div>
                        ) : null}
                      </div>
                      {t.error ? (
                        <p className="field-error" role="alert">
                          {t.error}
                        </p>
                      ) : null}
                    </div>
                  ))}
                </div>
                <form onSubmit={(e) => void ask(e)} className="row" style={{ marginTop: "1rem" }}>
                  <label htmlFor="question" className="sr-only">
                    Question
                  </label>
                  <input
                    id="question"
                    className="input"
                    style={{ flex: 1 }}
                    value={input}
                    onChange={(e) => setInput(e.target.value)}
                    placeholder="Ask a question…"
                    autoComplete="off"
                  />
                  <button className="btn btn-primary" type="submit" disabled={busy || !input.trim()}>
                    Send
                  </button>
                  {busy ? (
                    <button className="btn" type="button" onClick={() => abort.current?.abort()}>
                      Stop
                    </button>
                  ) : null}
                </form>
              </section>
              <aside>
                {last ? (
                  <CitationsPanel
                    attribution={last.attribution}
                    node={node}
                    question={last.question}
                    answer={last.answer}
                    active={active}
                    setActive={setActive}
                  />
                ) : (
                  <p className="hint">Sources appear here.</p>
                )}
              </aside>
            </div>
          )}
        </WalletGate>
      )}
    </>
  );
}
