// "Shaped by training on": the training contributions whose fine-tuning gradients align most with
// the answer's (training influence, measured by the node after the answer), with contributor,
// Datanet, contribution and the reason in words. Everything is rendered as React text: the node's
// words and the chain's metadata are data, never markup.
import type { ChatAttribution, TrainingInfluence } from "@modelfactory/sdk";
import { Link } from "../../router/router.tsx";
import { AddressLink, Badge, Hash } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";

function InfluenceCard({ t }: { t: TrainingInfluence }) {
  return (
    <article
      className="citation"
      aria-label={`Training influence ${t.rank}`}
      data-testid="training-influence"
      data-contribution={t.contributionId}
    >
      <div className="row">
        <strong>#{t.rank}</strong>
        <span>
          contribution <Link to={`/explore/contributor/${t.contributor.toLowerCase()}`}>#{t.contributionId}</Link>
        </span>
        <span>
          · <Link to={`/datanets/${t.datanetId}`}>Datanet #{t.datanetId}</Link>
        </span>
        <span className="spacer" />
        <Badge tone="info">cosine {t.score.toFixed(2)}</Badge>
        <Badge tone="good">{(t.weight / 100).toFixed(1)}%</Badge>
      </div>
      <p className="citation-effect">
        <strong>{t.reason.charAt(0).toUpperCase() + t.reason.slice(1)}</strong>
      </p>
      <div className="meta">
        <span>
          by <AddressLink address={t.contributor} label={t.contributor} />
        </span>
        <span>{formatTime(t.timestamp)}</span>
        <span>
          tx <Hash value={t.transactionHash} />
        </span>
        <span className="mono">{t.metadataURI}</span>
      </div>
    </article>
  );
}

/** The answer's training influences, or why there are none. */
export function TrainingInfluences({ attribution }: { attribution: ChatAttribution }) {
  // Older nodes answer without the list.
  const list = attribution.trainingInfluences ?? [];
  return (
    <section aria-label="Shaped by training on" data-testid="training-influences">
      <h3>Shaped by training on ({list.length})</h3>
      {list.length ? (
        <p className="hint">
          The contributions whose training examples moved the fine-tuned model most toward this answer: the cosine between the gradient of
          this answer's likelihood and that of the contribution's records, on the adapter's parameters. Weights share the training list's
          own 100 %.
        </p>
      ) : (
        <p className="hint" data-testid="training-influence-note">
          {attribution.trainingInfluenceNote ?? "No training contribution moved the model measurably toward this answer."}
        </p>
      )}
      {list.map((t) => (
        <InfluenceCard key={t.contributionId} t={t} />
      ))}
    </section>
  );
}
