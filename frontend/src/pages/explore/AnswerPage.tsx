// From an answer: its receipt (question, citations), the Merkle proof, the batch and its
// transaction, verified against the chain in the browser.
import { useReceipt } from "../../data/hooks/useReceipt.ts";
import { useTrainerNodes } from "../../data/hooks/useTrainerNodes.ts";
import { Link, useParams } from "../../router/router.tsx";
import { Hash, PageHeader } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { Empty, Loading, QueryView } from "../../ui/states.tsx";
import { VerifyReceipt } from "../chat/CitationsPanel.tsx";

export default function AnswerPage() {
  const { receiptId = "" } = useParams();
  const nodes = useTrainerNodes();
  const node = nodes.data?.find((n) => n.health?.ok)?.url ?? null;
  const receipt = useReceipt(node, receiptId);
  if (nodes.isPending) return <Loading />;
  if (!node) return <Empty title="No trainer node is reachable to fetch this receipt." />;
  return (
    <>
      <PageHeader title="Answer receipt" subtitle={<span className="mono">{receiptId}</span>} />
      <QueryView query={receipt}>
        {(r) => (
          <>
            <section className="panel">
              <dl className="kv">
                <dt>Question</dt><dd className="preview-text">{r.receipt.question}</dd>
                <dt>Model</dt><dd><Link to={`/explore/model/${r.receipt.modelId}`}>#{r.receipt.modelId}</Link></dd>
                <dt>Answer hash</dt><dd><Hash value={r.receipt.answerHash} /></dd>
                <dt>Created</dt><dd>{formatTime(r.receipt.createdAt)}</dd>
                <dt>Cited</dt><dd>{r.leaf.contributionIds.map((c, i) => `#${c} (${(r.leaf.weights[i]! / 100).toFixed(1)}%)`).join(", ")}</dd>
                <dt>Batch</dt><dd>{r.batchId ? `#${r.batchId}` : "not posted yet"}</dd>
                <dt>Proof</dt><dd>{r.proof ? r.proof.map((p) => <div key={p}><Hash value={p} /></div>) : "–"}</dd>
              </dl>
            </section>
            <VerifyReceipt node={node} receiptId={receiptId} />
          </>
        )}
      </QueryView>
    </>
  );
}
