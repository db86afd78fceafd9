// From a model: its manifest (on-chain root), the exact contributions it was trained on, the
// contributors behind them, and the citations its answers posted.
import { useCitations } from "../../data/hooks/useCitations.ts";
import { useContributions } from "../../data/hooks/useContributions.ts";
import { useManifest } from "../../data/hooks/useManifest.ts";
import { useModel } from "../../data/hooks/useModel.ts";
import { Link, useParams } from "../../router/router.tsx";
import { AddressLink, Hash, PageHeader } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { Empty, ErrorState, Loading, QueryView } from "../../ui/states.tsx";
import { ContributionsTable } from "../datanets/ContributionsTable.tsx";

export default function ModelExplorePage() {
  const { id = "" } = useParams();
  const model = useModel(id);
  const node = model.data?.trainer.endpoint ?? null;
  const manifest = useManifest(model.data?.job.id ?? null, node, model.data?.manifestURI ?? null);
  // A manifest whose root is not the chain's lists contributions nobody can prove: show none.
  const rootMatches = !!manifest.data && !!model.data && manifest.data.root.toLowerCase() === model.data.manifestRoot.toLowerCase();
  const ids = rootMatches ? manifest.data!.contributions.map((c) => c.contributionId) : [];
  const contributions = useContributions({ ids });
  const citations = useCitations({ model: id });
  if (model.isPending) return <Loading />;
  if (model.error) return <ErrorState error={model.error} />;
  const m = model.data;
  if (!m) return <Empty title={`Model #${id} is not indexed.`} />;
  const contributors = [...new Set((contributions.data ?? []).map((c) => c.contributor.id))];
  return (
    <>
      <PageHeader
        title={`Model #${m.id}`}
        subtitle={
          <>
            Trained by job <Link to={`/jobs/${m.job.id}`}>#{m.job.id}</Link> on Datanets {m.datanets.map((d) => `#${d.id}`).join(", ")}
          </>
        }
      >
        <Link className="btn" to={`/jobs/${m.job.id}/report`}>
          Evaluation
        </Link>
        <Link className="btn btn-primary" to={`/chat/${m.id}`}>
          Chat
        </Link>
      </PageHeader>
      <section className="panel">
        <h2>Manifest</h2>
        <dl className="kv">
          <dt>Manifest root (on chain)</dt>
          <dd>
            <Hash value={m.manifestRoot} />
          </dd>
          <dt>Manifest document</dt>
          <dd className="mono">{m.manifestURI ?? "served by the trainer node"}</dd>
          <dt>Spec</dt>
          <dd className="mono">{m.job.specURI}</dd>
          <dt>Spec hash</dt>
          <dd>
            <Hash value={m.job.specHash} />
          </dd>
          <dt>Data snapshot block</dt>
          <dd>{m.job.snapshotBlock}</dd>
          <dt>Adapter</dt>
          <dd className="mono">{m.adapterCID}</dd>
          <dt>Adapter hash</dt>
          <dd>
            <Hash value={m.adapterHash} />
          </dd>
          <dt>Trainer</dt>
          <dd>
            <AddressLink address={m.trainer.id} /> <span className="hint">{m.trainer.endpoint}</span>
          </dd>
          <dt>Registered</dt>
          <dd>
            {formatTime(m.createdAt)} · <Hash value={m.createdTx} />
          </dd>
        </dl>
      </section>
      <h2>Contributions trained on ({ids.length})</h2>
      {manifest.isPending && manifest.fetchStatus !== "idle" ? (
        <Loading label="Reading the manifest…" />
      ) : manifest.error ? (
        <ErrorState error={manifest.error} />
      ) : null}
      {manifest.data && !rootMatches ? (
        <p className="field-error">
          The manifest document does not give the on-chain root {m.manifestRoot}; its list of contributions is not shown.
        </p>
      ) : null}
      {contributions.data && contributions.data.length > 0 ? <ContributionsTable rows={contributions.data} showDatanet /> : null}
      <h2>Contributors ({contributors.length})</h2>
      <p>
        {contributors.map((c) => (
          <span key={c}>
            <AddressLink address={c} label={c} />
            <br />
          </span>
        ))}
      </p>
      <h2>Citations in posted answers</h2>
      <QueryView
        query={citations}
        empty={(c) => (c.length ? null : <Empty title="No answer of this model has been posted on chain yet." />)}
      >
        {(list) => (
          <table className="table">
            <thead>
              <tr>
                <th>Batch</th>
                <th>Contribution</th>
                <th>Contributor</th>
                <th className="num">Weight</th>
                <th>Time</th>
                <th>Transaction</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id}>
                  <td>#{c.batch.id}</td>
                  <td>#{c.contributionId}</td>
                  <td>{c.contributor ? <AddressLink address={c.contributor.id} /> : "unknown"}</td>
                  <td className="num">{(c.weight / 100).toFixed(1)}%</td>
                  <td>{formatTime(c.timestamp)}</td>
                  <td>
                    <Hash value={c.transactionHash} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </>
  );
}
