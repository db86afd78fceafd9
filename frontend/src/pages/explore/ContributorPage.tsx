// From a contributor: their contributions, the models trained on their Datanets, and the
// posted answers their data shaped, in the two lists receipts commit to: through retrieval and
// through training.
import type { ContributorAnswer } from "../../data/actions/fetch-contributor-answers.ts";
import { useContributor } from "../../data/hooks/useContributor.ts";
import { useContributorAnswers } from "../../data/hooks/useContributorAnswers.ts";
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
              <div className="stat">
                <b>{v.account?.contributionCount ?? 0}</b>
                <span>contributions</span>
              </div>
              <div className="stat">
                <b>{v.account?.acceptedContributionCount ?? 0}</b>
                <span>accepted</span>
              </div>
              <div className="stat">
                <b>{v.account?.citationCount ?? 0}</b>
                <span>citations (retrieval and training)</span>
              </div>
              <div className="stat">
                <b>{(Number(v.account?.totalCitationWeight ?? 0) / 100).toFixed(1)}%</b>
                <span>summed citation weight</span>
              </div>
            </div>
            <h2>Contributions</h2>
            {v.contributions.length ? <ContributionsTable rows={v.contributions} showDatanet /> : <Empty title="No contributions." />}
            <h2>Models trained on their Datanets</h2>
            {v.models.length ? (
              <ul>
                {v.models.map((m) => (
                  <li key={m.id}>
                    <Link to={`/explore/model/${m.id}`}>Model #{m.id}</Link> <span className="hint">{formatTime(m.createdAt)}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <Empty title="No models yet." />
            )}
            <ContributorAnswersSections address={address} />
          </>
        )}
      </QueryView>
    </>
  );
}

function ContributorAnswersSections({ address }: { address: string }) {
  const answers = useContributorAnswers(address);
  return (
    <QueryView query={answers}>
      {(a) => (
        <>
          <h2>Answers their data shaped through retrieval</h2>
          <p className="hint">A passage of their contribution was in the model's prompt, and the answer depended on it.</p>
          <AnswersTable rows={a.retrieval} empty="No posted answer cites their passages yet." />
          <h2>Answers their data shaped through training</h2>
          <p className="hint">
            Fine-tuning on their contribution moved the model toward the answer (training influence, weighted from its own 10,000 bp per
            answer).
          </p>
          <AnswersTable rows={a.training} empty="No posted answer lists their contributions among its training influences yet." />
        </>
      )}
    </QueryView>
  );
}

function AnswersTable({ rows, empty }: { rows: ContributorAnswer[]; empty: string }) {
  if (!rows.length) return <Empty title={empty} />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Model</th>
          <th>Contribution</th>
          <th className="num">Weight</th>
          <th>Receipt key</th>
          <th>Batch</th>
          <th>Transaction</th>
          <th>Time</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.id} data-kind={c.kind}>
            <td>
              <Link to={`/explore/model/${c.model.id}`}>#{c.model.id}</Link>
            </td>
            <td>#{c.contributionId}</td>
            <td className="num">{(c.weight / 100).toFixed(1)}%</td>
            <td className="mono">{c.receipt.key}</td>
            <td>
              #{c.batch.id} <Hash value={c.batch.receiptsRoot} title="receipts root" />
            </td>
            <td>
              <Hash value={c.transactionHash} />
            </td>
            <td>{formatTime(c.timestamp)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
