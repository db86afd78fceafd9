// From a contributor: their contributions, the models trained on their Datanets, and the
// posted answers that cite them.
import { useContributor } from "../../data/hooks/useContributor.ts";
import { Link, useParams } from "../../router/router.tsx";
import { Hash, PageHeader } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { Empty, QueryView } from "../../ui/states.tsx";
import { ContributionsTable } from "../datanets/ContributionsTable.tsx";

export default function ContributorPage() {
  const { address = "" } = useParams();
  const query = useContributor(address);
  return (
    <>
      <PageHeader title="Contributor" subtitle={<span className="mono">{address}</span>} />
      <QueryView query={query}>
        {(v) => (
          <>
            <div className="stats">
              <div className="stat"><b>{v.account?.contributionCount ?? 0}</b><span>contributions</span></div>
              <div className="stat"><b>{v.account?.acceptedContributionCount ?? 0}</b><span>accepted</span></div>
              <div className="stat"><b>{v.account?.citationCount ?? 0}</b><span>citations</span></div>
              <div className="stat"><b>{((Number(v.account?.totalCitationWeight ?? 0)) / 100).toFixed(1)}%</b><span>summed citation weight</span></div>
            </div>
            <h2>Contributions</h2>
            {v.contributions.length ? <ContributionsTable rows={v.contributions} showDatanet /> : <Empty title="No contributions." />}
            <h2>Models trained on their Datanets</h2>
            {v.models.length ? (
              <ul>{v.models.map((m) => <li key={m.id}><Link to={`/explore/model/${m.id}`}>Model #{m.id}</Link> <span className="hint">{formatTime(m.createdAt)}</span></li>)}</ul>
            ) : (
              <Empty title="No models yet." />
            )}
            <h2>Answers citing them</h2>
            {v.citations.length ? (
              <table className="table">
                <thead><tr><th>Model</th><th>Contribution</th><th className="num">Weight</th><th>Batch</th><th>Transaction</th><th>Time</th></tr></thead>
                <tbody>
                  {v.citations.map((c) => (
                    <tr key={c.id}>
                      <td><Link to={`/explore/model/${c.model.id}`}>#{c.model.id}</Link></td>
                      <td>#{c.contributionId}</td>
                      <td className="num">{(c.weight / 100).toFixed(1)}%</td>
                      <td>#{c.batch.id} <Hash value={c.batch.receiptsRoot} title="receipts root" /></td>
                      <td><Hash value={c.transactionHash} /></td>
                      <td>{formatTime(c.timestamp)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <Empty title="No posted answer cites them yet." />
            )}
          </>
        )}
      </QueryView>
    </>
  );
}
