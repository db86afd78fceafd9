// A Datanet: metadata, license, policies, approvers, contributions, contributors, models,
// citation counts; contribute, request access, edit and manage approvers from here. Its approvers
// also see how its contributions trained in the models built on it.
import { useState } from "react";
import { useAccount } from "wagmi";
import { Scope } from "@modelfactory/sdk";
import { useContributions } from "../../data/hooks/useContributions.ts";
import { useDatanet } from "../../data/hooks/useDatanet.ts";
import { useTrainAccess } from "../../data/hooks/useTrainAccess.ts";
import { Link, useParams } from "../../router/router.tsx";
import { AddressLink, Badge, Hash, PageHeader } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { Empty, ErrorState, Loading, QueryView } from "../../ui/states.tsx";
import { ApproversPanel } from "./ApproversPanel.tsx";
import { EncryptionKeyPanel } from "./EncryptionKeyPanel.tsx";
import { ContributionsTable } from "./ContributionsTable.tsx";
import { RequestAccessForm } from "./RequestAccessForm.tsx";
import { TrainingInsightsPanel } from "./TrainingInsightsPanel.tsx";

const TABS = ["Overview", "Contributions", "Contributors", "Models", "Access", "Training insights"] as const;
/** Tabs only the Datanet's owner and approvers see. */
const APPROVER_TABS: readonly (typeof TABS)[number][] = ["Training insights"];

function AccessStatus({ datanetId }: { datanetId: string }) {
  const { address } = useAccount();
  const train = useTrainAccess(address, [datanetId], Scope.Train);
  const retrieve = useTrainAccess(address, [datanetId], Scope.Retrieve);
  if (!address) return <p className="hint">Connect a wallet to see your access.</p>;
  return (
    <p data-testid="access-status">
      Your access: train {train.data?.[datanetId] ? <Badge tone="good">yes</Badge> : <Badge>no</Badge>} · retrieve{" "}
      {retrieve.data?.[datanetId] ? <Badge tone="good">yes</Badge> : <Badge>no</Badge>}
    </p>
  );
}

export default function DatanetPage() {
  const { id = "" } = useParams();
  const query = useDatanet(id);
  const contributions = useContributions({ datanet: id });
  const { address } = useAccount();
  const [tab, setTab] = useState<(typeof TABS)[number]>("Overview");
  if (query.isPending) return <Loading label="Loading Datanet…" />;
  if (query.error) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  const d = query.data;
  if (!d) return <Empty title={`Datanet #${id} is not indexed yet.`}>If you just created it, it will appear in a moment.</Empty>;
  const isOwner = !!address && d.owner.id.toLowerCase() === address.toLowerCase();
  const isApprover = isOwner || d.approvers.some((a) => a.approver.id.toLowerCase() === address?.toLowerCase());
  return (
    <>
      <PageHeader
        title={d.metadata?.name ?? `Datanet #${d.id}`}
        subtitle={
          <>
            Datanet #{d.id} · {d.metadata?.domain || "no domain"} · {d.license}
          </>
        }
      >
        <Link className="btn btn-primary" to={`/datanets/${d.id}/contribute`}>
          Contribute data
        </Link>
        {isOwner ? (
          <Link className="btn" to={`/datanets/${d.id}/edit`}>
            Edit
          </Link>
        ) : null}
        {isApprover ? (
          <Link className="btn" to="/inbox">
            Review ({d.pendingContributionCount} pending)
          </Link>
        ) : null}
      </PageHeader>
      <div className="tabs" role="tablist" aria-label="Datanet sections">
        {TABS.filter((t) => isApprover || !APPROVER_TABS.includes(t)).map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </div>
      {tab === "Overview" ? (
        <div className="cols">
          <section className="panel">
            <h2>About</h2>
            <p className="preview-text">{d.metadata?.description ?? "The metadata document could not be read."}</p>
            <div className="row">
              {d.metadata?.tags.map((t) => (
                <Badge key={t}>{t}</Badge>
              ))}
            </div>
            <div className="stats">
              <div className="stat">
                <b>{d.acceptedContributionCount}</b>
                <span>accepted</span>
              </div>
              <div className="stat">
                <b>{d.pendingContributionCount}</b>
                <span>pending</span>
              </div>
              <div className="stat">
                <b>{d.contributorCount}</b>
                <span>contributors</span>
              </div>
              <div className="stat">
                <b>{d.jobCount}</b>
                <span>training jobs</span>
              </div>
              <div className="stat">
                <b>{d.citationCount}</b>
                <span>citations</span>
              </div>
            </div>
          </section>
          <section className="panel">
            <h2>Details</h2>
            <dl className="kv">
              <dt>Owner</dt>
              <dd>
                <AddressLink address={d.owner.id} />
              </dd>
              <dt>License</dt>
              <dd>{d.license}</dd>
              <dt>Access</dt>
              <dd>{d.accessPolicy}</dd>
              <dt>Contributions</dt>
              <dd>{d.contributionPolicy}</dd>
              <dt>Record kinds</dt>
              <dd>{d.metadata?.recordKinds.join(", ") ?? "any"}</dd>
              <dt>Created</dt>
              <dd>{formatTime(d.createdAt)}</dd>
              <dt>Transaction</dt>
              <dd>
                <Hash value={d.createdTx} />
              </dd>
              <dt>Metadata</dt>
              <dd className="mono">{d.metadataURI}</dd>
            </dl>
            <AccessStatus datanetId={d.id} />
          </section>
          <div style={{ gridColumn: "1 / -1" }}>
            <ApproversPanel datanetId={d.id} approvers={d.approvers} isOwner={isOwner} />
          </div>
          {d.accessPolicy === "Permissioned" ? (
            <div style={{ gridColumn: "1 / -1" }}>
              <EncryptionKeyPanel datanetId={d.id} isOwner={isOwner} />
            </div>
          ) : null}
        </div>
      ) : null}
      {tab === "Contributions" ? (
        <QueryView query={contributions} empty={(r) => (r.length ? null : <Empty title="No contributions yet." />)}>
          {(rows) => <ContributionsTable rows={rows} />}
        </QueryView>
      ) : null}
      {tab === "Contributors" ? (
        d.contributors.length === 0 ? (
          <Empty title="No contributors yet." />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Contributor</th>
                <th className="num">Contributions</th>
                <th className="num">Accepted</th>
                <th className="num">Citations</th>
              </tr>
            </thead>
            <tbody>
              {d.contributors.map((c) => (
                <tr key={c.contributor.id}>
                  <td>
                    <AddressLink address={c.contributor.id} label={c.contributor.id} />
                  </td>
                  <td className="num">{c.contributionCount}</td>
                  <td className="num">{c.acceptedContributionCount}</td>
                  <td className="num">{c.citationCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {tab === "Models" ? (
        d.models.length === 0 ? (
          <Empty title="No model has been trained on this Datanet yet." />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Model</th>
                <th>Builder</th>
                <th>Created</th>
                <th className="num">Citations</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {d.models.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Link to={`/explore/model/${m.id}`}>Model #{m.id}</Link>
                  </td>
                  <td>
                    <AddressLink address={m.builder.id} />
                  </td>
                  <td>{formatTime(m.createdAt)}</td>
                  <td className="num">{m.citationCount}</td>
                  <td>
                    <Link to={`/chat/${m.id}`}>Chat</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {tab === "Training insights" && isApprover ? <TrainingInsightsPanel datanetId={d.id} /> : null}
      {tab === "Access" ? (
        <section className="panel">
          <h2>Access</h2>
          <AccessStatus datanetId={d.id} />
          {d.accessPolicy === "Open" ? (
            <p>This Datanet is open: anyone may train on, retrieve from and evaluate with its accepted data.</p>
          ) : (
            <>
              <p>
                This Datanet is permissioned. Ask its approvers for access; they may grant it by transaction or send you a signed grant to
                redeem.
              </p>
              <RequestAccessForm datanetId={d.id} />
            </>
          )}
        </section>
      ) : null}
    </>
  );
}
