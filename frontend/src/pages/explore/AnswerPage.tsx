// From an answer: its public receipt (model, hashes, retrieval citations and training
// influences, the two lists the leaf commits to), the Merkle proof, the batch and its transaction, found through the index and the content store — no trainer node needed — and
// verified against the chain in the browser.
import { RECEIPT_SCHEMA_V2 } from "@modelfactory/sdk";
import { useIndexedReceipt } from "../../data/hooks/useIndexedReceipt.ts";
import { Link, useParams } from "../../router/router.tsx";
import { AddressLink, Hash, PageHeader } from "../../ui/bits.tsx";
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
                <dt>Model</dt>
                <dd>
                  <Link to={`/explore/model/${r.receipt.modelId}`}>#{r.receipt.modelId}</Link>
                  {r.trainerEndpoint ? <span className="hint"> served by {r.trainerEndpoint}</span> : null}
                </dd>
                <dt>Question hash</dt>
                <dd>
                  <Hash value={r.receipt.questionHash} />{" "}
                  <span className="hint">
                    the question, answer and passages are private to the asker; the public receipt holds their hashes
                  </span>
                </dd>
                <dt>Answer hash</dt>
                <dd>
                  <Hash value={r.receipt.answerHash} />
                </dd>
                <dt>Created</dt>
                <dd>{formatTime(Math.floor(r.receipt.createdAt / 1000))}</dd>
                <dt>Cited through retrieval</dt>
                <dd>{weights(r.leaf.contributionIds, r.leaf.weights)}</dd>
                <dt>Reasons</dt>
                <dd>
                  {r.receipt.citations.map((c) => (
                    <div key={c.rank}>
                      #{c.rank} contribution #{c.contributionId}: {c.reason}
                    </div>
                  ))}
                </dd>
                <dt>Shaped by training on</dt>
                <dd>
                  {r.receipt.schema === RECEIPT_SCHEMA_V2 ? (
                    <span className="hint">this receipt predates training influences ({RECEIPT_SCHEMA_V2})</span>
                  ) : (
                    weights(r.leaf.trainingContributionIds, r.leaf.trainingWeights)
                  )}
                </dd>
                {r.receipt.trainingInfluences?.length ? (
                  <>
                    <dt>Training influence</dt>
                    <dd>
                      {r.receipt.trainingInfluences.map((t) => (
                        <div key={t.rank}>
                          #{t.rank} contribution #{t.contributionId} by <AddressLink address={t.contributor} /> (cosine {t.score.toFixed(2)}
                          ): {t.reason}
                        </div>
                      ))}
                    </dd>
                  </>
                ) : null}
                <dt>Batch</dt>
                <dd>
                  #{r.batchId} <span className="mono hint">{r.receiptsURI}</span>
                </dd>
                <dt>Proof</dt>
                <dd>
                  {r.proof
                    ? r.proof.map((p) => (
                        <div key={p}>
                          <Hash value={p} />
                        </div>
                      ))
                    : "–"}
                </dd>
              </dl>
            </section>
            <VerifyReceipt
              receiptId={receiptId}
              receipt={receipt}
              source="the index and the batch document in the content store (no trainer node)"
            />
          </>
        )}
      </QueryView>
    </>
  );
}

/** A leaf list as "#id (share %)", in the list's order. */
function weights(ids: readonly (string | bigint)[], bp: readonly number[]): string {
  return ids.map((c, i) => `#${c} (${(bp[i]! / 100).toFixed(1)}%)`).join(", ") || "nothing";
}
