// An answer's citations: which contribution, Datanet, contributor, when, which transaction, how
// much the passage shaped the answer (the effect the node measured by leaving it out: "without
// this passage the answer becomes 4× less likely"), why it was retrieved (rank, score, matched
// spans), the passages retrieved but not used, the training contributions that shaped the answer
// through fine-tuning (TrainingInfluences.tsx), and a check of the receipt on chain.
import { Fragment, useState } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { describeCitationEffect, type ChatAttribution, type Citation, type ReceiptStatus } from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import { useReceipt } from "../../data/hooks/useReceipt.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { verificationSummary, verifyReceiptOnChain, type ReceiptVerification, type ShownAnswer } from "../../lib/verify-receipt.ts";
import { Link } from "../../router/router.tsx";
import { AddressLink, Badge, Hash } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { Highlighted } from "./highlight.tsx";
import { TrainingInfluences } from "./TrainingInfluences.tsx";

/**
 * "Verify on chain": recomputes the receipt's leaf here from its public document and checks it,
 * the citations, model and texts shown, and the Merkle proof against the on-chain root. The
 * receipt comes from the caller: a trainer node's answer, or the index and content store.
 */
export function VerifyReceipt({
  receiptId,
  receipt,
  source,
  shown = {},
}: {
  receiptId: string;
  receipt: UseQueryResult<ReceiptStatus>;
  source: string;
  shown?: ShownAnswer;
}) {
  const config = useAppConfig();
  const [result, setResult] = useState<ReceiptVerification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    if (!receipt.data) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await verifyReceiptOnChain(config, receipt.data, shown));
    } catch (e) {
      setError(errorSentence(e));
    } finally {
      setBusy(false);
    }
  };
  const posted = receipt.data?.status === "posted";
  return (
    <div className="panel" data-testid="verify-receipt" data-receipt-id={receiptId}>
      <div className="row">
        <strong>Receipt</strong> <Hash value={receiptId} />
        <span className="spacer" />
        {posted ? (
          <Badge tone="good">in batch #{receipt.data!.batchId}</Badge>
        ) : (
          <Badge tone="warn">{receipt.isPending ? "loading" : receipt.error ? "unavailable" : "waiting for its batch"}</Badge>
        )}
      </div>
      <p className="hint">Receipt read from {source}.</p>
      {receipt.error ? (
        <p className="verify-bad" role="alert">
          {errorSentence(receipt.error)}
        </p>
      ) : null}
      <button className="btn btn-primary" disabled={!posted || busy} onClick={() => void verify()}>
        {busy ? "Verifying…" : "Verify on chain"}
      </button>
      {error ? (
        <p className="verify-bad" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <>
          <p className={result.valid ? "verify-ok" : "verify-bad"} data-testid="verify-summary" role="status">
            {verificationSummary(result)}
          </p>
          <dl className="kv" data-testid="verify-result">
            <dt>Batch root on chain</dt>
            <dd>
              <Hash value={result.root} />
            </dd>
            {result.leaf ? (
              <>
                <dt>Leaf recomputed here</dt>
                <dd>
                  <span className="mono">
                    details <Hash value={result.leaf.detailsHash} />
                  </span>
                </dd>
              </>
            ) : null}
            {result.checks.map((c) => (
              <Fragment key={c.id}>
                <dt>{c.label}</dt>
                <dd className={c.ok ? "verify-ok" : "verify-bad"} data-check={c.id} data-ok={c.ok}>
                  {c.detail}
                </dd>
              </Fragment>
            ))}
            {receipt.data?.transactionHash ? (
              <>
                <dt>Batch transaction</dt>
                <dd>
                  <Hash value={receipt.data.transactionHash} />
                </dd>
              </>
            ) : null}
          </dl>
        </>
      ) : null}
    </div>
  );
}

/** The receipt of an answer just given, from the trainer node that gave it (polled until posted). */
function NodeReceipt({ node, receiptId, shown }: { node: string; receiptId: string; shown: ShownAnswer }) {
  const receipt = useReceipt(node, receiptId);
  return <VerifyReceipt receiptId={receiptId} receipt={receipt} source={`the trainer node at ${new URL(node).host}`} shown={shown} />;
}

/**
 * The citations the answer's receipt commits to: where the node measured effects, the passages
 * that shaped the answer (weight above 0); a passage retrieved but not used is not posted.
 */
export function postedCitations(citations: readonly Citation[]): Citation[] {
  return citations.filter((c) => !c.effect || c.weight > 0);
}

/** The measured effect in a domain expert's words, with how it was measured. */
function Effect({ c }: { c: Citation }) {
  const e = c.effect;
  if (!e) return null;
  const how = e.method === "leave-one-out" ? "measured by leaving the passage out" : "estimated from random ablations (ContextCite)";
  const sentence = describeCitationEffect(e);
  return (
    <p className="citation-effect" data-testid="citation-effect" data-used={e.used}>
      <strong>{e.used ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : "Retrieved, not used"}</strong>
      {e.used ? null : <> — {sentence}, too little to count</>}
      <span className="hint">
        {" "}
        ({how}; log-likelihood {e.logProbDrop >= 0 ? "−" : "+"}
        {Math.abs(e.logProbDrop).toFixed(2)} nats)
      </span>
    </p>
  );
}

function CitationCard({ c, active, onFocus }: { c: Citation; active: boolean; onFocus: () => void }) {
  const notUsed = c.effect ? !c.effect.used : false;
  return (
    <article
      className="citation"
      aria-label={`Citation ${c.rank}`}
      data-used={!notUsed}
      onMouseEnter={onFocus}
      onFocus={onFocus}
      tabIndex={0}
      style={{ ...(active ? { borderColor: "#2f5bea" } : {}), ...(notUsed ? { opacity: 0.7, background: "#f7f8fb" } : {}) }}
    >
      <div className="row">
        <strong>#{c.rank}</strong>
        <span>
          contribution <Link to={`/explore/contributor/${c.contributor.toLowerCase()}`}>#{c.contributionId}</Link>
        </span>
        <span>
          · <Link to={`/datanets/${c.datanetId}`}>Datanet #{c.datanetId}</Link>
        </span>
        <span className="spacer" />
        <Badge tone="info">score {c.score.toFixed(3)}</Badge>
        {notUsed ? (
          <Badge tone="warn">retrieved, not used</Badge>
        ) : (
          <Badge tone={c.effect ? "good" : "neutral"}>{(c.weight / 100).toFixed(1)}%</Badge>
        )}
      </div>
      <Effect c={c} />
      <div className="meta">
        <span>
          by <AddressLink address={c.contributor} />
        </span>
        <span>{formatTime(c.timestamp)}</span>
        <span>
          tx <Hash value={c.transactionHash} />
        </span>
        <span className="mono">{c.metadataURI}</span>
      </div>
      <p className="hint">{c.reason}</p>
      <blockquote className="record-text" style={{ margin: 0, borderLeft: "3px solid #e2e5ee", paddingLeft: ".6rem" }}>
        <Highlighted text={c.passage.text} spans={c.sourceSpans} active={active} />
      </blockquote>
    </article>
  );
}

export function CitationsPanel({
  attribution,
  node,
  question,
  answer,
  active,
  setActive,
}: {
  attribution: ChatAttribution | null;
  node: string;
  question: string;
  answer: string;
  active: number | null;
  setActive: (rank: number) => void;
}) {
  if (!attribution) return <p className="hint">Ask a question; the sources behind the answer appear here.</p>;
  const posted = postedCitations(attribution.citations);
  const measured = attribution.citations.some((c) => c.effect);
  // The passages that shaped the answer first (by weight), then those retrieved but not used.
  const shown = [...attribution.citations].sort(
    (a, b) => Number(!!b.effect?.used) - Number(!!a.effect?.used) || b.weight - a.weight || a.rank - b.rank,
  );
  return (
    <section aria-label="Citations" data-testid="citations">
      <h2>Sources ({measured ? `${posted.length} used of ${attribution.citations.length} retrieved` : attribution.citations.length})</h2>
      {attribution.citations.length === 0 ? <p className="hint">No contribution was retrieved for this answer.</p> : null}
      {measured ? (
        <p className="hint">
          Weights come from each passage's measured effect on this answer: how much less likely the answer becomes without it, counting the
          answer's words that your question does not already contain. A passage without which the answer is at most 4× less likely is shown
          as retrieved, not used, and is not paid.
        </p>
      ) : null}
      {shown.map((c) => (
        <CitationCard key={c.rank} c={c} active={active === c.rank} onFocus={() => setActive(c.rank)} />
      ))}
      <TrainingInfluences attribution={attribution} />
      {attribution.receiptId ? (
        <NodeReceipt
          node={node}
          receiptId={attribution.receiptId}
          shown={{
            question,
            answer,
            citations: posted,
            trainingInfluences: attribution.trainingInfluences ?? [],
            modelId: attribution.modelId,
          }}
        />
      ) : (
        <p className="hint">This model posts no receipts (base model).</p>
      )}
    </section>
  );
}
