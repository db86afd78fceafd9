// From an answer: its public receipt (model, hashes, citations), the Merkle proof, the batch and
// its transaction, found through the index and the content store — no trainer node needed — and
// verified against the chain in the browser.
import { useIndexedReceipt } from "../../data/hooks/useIndexedReceipt.ts";
import { Link, useParams } from "../../router/router.tsx";
import { Hash, PageHeader } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { QueryView } from "../../ui/states.tsx";
import { VerifyReceipt } from "../chat/CitationsPanel.tsx";

export default function AnswerPage() {
  const { receiptId = "" } = useParams();
  const receipt = useIndexedReceipt(receiptId || null);
  return (
    <>
      <PageHeader title="Answer receipt" subtitle={<span className="mono">{receiptId}</span>} />
      <QueryView query={receipt}>
        {(r) => (
          <>
            <section className="panel">
              <dl className="kv">
                <dt>Model</dt><dd><Link to={`/explore/model/${r.receipt.modelId}`}>#{r.receipt.modelId}</Link>{r.trainerEndpoint ? <span className="hint"> served by {r.trainerEndpoint}</span> : null}</dd>
                <dt>Question hash</dt><dd><Hash value={r.receipt.questionHash} /> <span className="hint">the question, answer and passages are private to the asker; the public receipt holds their hashes</span></dd>
                <dt>Answer hash</dt><dd><Hash value={r.receipt.answerHash} /></dd>
                <dt>Created</dt><dd>{formatTime(r.receipt.createdAt)}</dd>
                <dt>Cited</dt><dd>{r.leaf.contributionIds.map((c, i) => `#${c} (${(r.leaf.weights[i]! / 100).toFixed(1)}%)`).join(", ") || "nothing"}</dd>
                <dt>Reasons</dt><dd>{r.receipt.citations.map((c) => <div key={c.rank}>#{c.rank} contribution #{c.contributionId}: {c.reason}</div>)}</dd>
                <dt>Batch</dt><dd>#{r.batchId} <span className="mono hint">{r.receiptsURI}</span></dd>
                <dt>Proof</dt><dd>{r.proof ? r.proof.map((p) => <div key={p}><Hash value={p} /></div>) : "–"}</dd>
              </dl>
            </section>
            <VerifyReceipt receiptId={receiptId} receipt={receipt} source="the index and the batch document in the content store (no trainer node)" />
          </>
        )}
      </QueryView>
    </>
  );
}
