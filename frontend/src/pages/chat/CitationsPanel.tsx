// An answer's citations: which contribution, Datanet, contributor, when, which transaction,
// why it was retrieved (rank, score, matched spans), and a check of the receipt on chain.
import { useState } from "react";
import type { ChatAttribution, Citation } from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import { useReceipt } from "../../data/hooks/useReceipt.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { verifyReceiptOnChain, type ReceiptVerification } from "../../lib/verify-receipt.ts";
import { Link } from "../../router/router.tsx";
import { AddressLink, Badge, Hash } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { Highlighted } from "./highlight.tsx";

export function VerifyReceipt({ node, receiptId, answer }: { node: string; receiptId: string; answer?: string }) {
  const config = useAppConfig();
  const receipt = useReceipt(node, receiptId);
  const [result, setResult] = useState<ReceiptVerification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    if (!receipt.data) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await verifyReceiptOnChain(config, receipt.data, answer));
    } catch (e) {
      setError(errorSentence(e));
    } finally {
      setBusy(false);
    }
  };
  const posted = receipt.data?.status === "posted";
  return (
    <div className="panel" data-testid="verify-receipt">
      <div className="row">
        <strong>Receipt</strong> <Hash value={receiptId} />
        <span className="spacer" />
        {posted ? <Badge tone="good">in batch #{receipt.data!.batchId}</Badge> : <Badge tone="warn">{receipt.isPending ? "loading" : "waiting for its batch"}</Badge>}
      </div>
      <button className="btn btn-primary" disabled={!posted || busy} onClick={() => void verify()}>
        {busy ? "Verifying…" : "Verify on chain"}
      </button>
      {error ? <p className="verify-bad" role="alert">{error}</p> : null}
      {result ? (
        <dl className="kv" data-testid="verify-result">
          <dt>Batch root on chain</dt><dd><Hash value={result.root} /></dd>
          <dt>Merkle proof (checked here)</dt><dd className={result.localProof ? "verify-ok" : "verify-bad"}>{result.localProof ? "valid" : "invalid"}</dd>
          <dt>AttributionLedger.verifyReceipt</dt><dd className={result.onChain ? "verify-ok" : "verify-bad"}>{result.onChain ? "true" : "false"}</dd>
          {result.answerMatches !== null ? (<><dt>Answer hash</dt><dd className={result.answerMatches ? "verify-ok" : "verify-bad"}>{result.answerMatches ? "matches this answer" : "does not match this answer"}</dd></>) : null}
          {receipt.data?.transactionHash ? (<><dt>Batch transaction</dt><dd><Hash value={receipt.data.transactionHash} /></dd></>) : null}
        </dl>
      ) : null}
    </div>
  );
}

function CitationCard({ c, active, onFocus }: { c: Citation; active: boolean; onFocus: () => void }) {
  return (
    <article className="citation" aria-label={`Citation ${c.rank}`} onMouseEnter={onFocus} onFocus={onFocus} tabIndex={0} style={active ? { borderColor: "#2f5bea" } : undefined}>
      <div className="row">
        <strong>#{c.rank}</strong>
        <span>contribution <Link to={`/explore/contributor/${c.contributor.toLowerCase()}`}>#{c.contributionId}</Link></span>
        <span>· <Link to={`/datanets/${c.datanetId}`}>Datanet #{c.datanetId}</Link></span>
        <span className="spacer" />
        <Badge tone="info">score {c.score.toFixed(3)}</Badge>
        <Badge>{(c.weight / 100).toFixed(1)}%</Badge>
      </div>
      <div className="meta">
        <span>by <AddressLink address={c.contributor} /></span>
        <span>{formatTime(c.timestamp)}</span>
        <span>tx <Hash value={c.transactionHash} /></span>
        <span className="mono">{c.metadataURI}</span>
      </div>
      <p className="hint">{c.reason}</p>
      <blockquote className="record-text" style={{ margin: 0, borderLeft: "3px solid #e2e5ee", paddingLeft: ".6rem" }}>
        <Highlighted text={c.passage.text} spans={c.sourceSpans} active={active} />
      </blockquote>
    </article>
  );
}

export function CitationsPanel({ attribution, node, answer, active, setActive }: { attribution: ChatAttribution | null; node: string; answer: string; active: number | null; setActive: (rank: number) => void }) {
  if (!attribution) return <p className="hint">Ask a question; the sources behind the answer appear here.</p>;
  return (
    <section aria-label="Citations" data-testid="citations">
      <h2>Sources ({attribution.citations.length})</h2>
      {attribution.citations.length === 0 ? <p className="hint">No contribution was retrieved for this answer.</p> : null}
      {attribution.citations.map((c) => (
        <CitationCard key={c.rank} c={c} active={active === c.rank} onFocus={() => setActive(c.rank)} />
      ))}
      {attribution.receiptId ? <VerifyReceipt node={node} receiptId={attribution.receiptId} answer={answer} /> : <p className="hint">This model posts no receipts (base model).</p>}
    </section>
  );
}
