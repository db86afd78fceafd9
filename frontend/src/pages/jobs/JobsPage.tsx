// Training jobs: yours (with a wallet) or everyone's.
import { useAccount } from "wagmi";
import { useJobs } from "../../data/hooks/useJobs.ts";
import { Link } from "../../router/router.tsx";
import { AddressLink, PageHeader, StatusBadge } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { Empty, QueryView } from "../../ui/states.tsx";

export default function JobsPage() {
  const { address } = useAccount();
  const query = useJobs(address);
  return (
    <>
      <PageHeader title={address ? "Your training jobs" : "Training jobs"}>
        <Link className="btn btn-primary" to="/train">New training job</Link>
      </PageHeader>
      <QueryView query={query} empty={(j) => (j.length ? null : <Empty title="No training jobs yet."><Link to="/train">Start one.</Link></Empty>)}>
        {(jobs) => (
          <table className="table">
            <thead><tr><th>Job</th><th>State</th><th>Datanets</th><th>Builder</th><th>Trainer</th><th>Created</th><th>Model</th></tr></thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.id}>
                  <td><Link to={`/jobs/${j.id}`}>Job #{j.id}</Link></td>
                  <td><StatusBadge status={j.state} />{j.failureReason ? <div className="hint">{j.failureReason}</div> : null}</td>
                  <td>{j.datanets.map((d) => `#${d.id}`).join(", ")}</td>
                  <td><AddressLink address={j.builder.id} /></td>
                  <td>{j.trainer ? <AddressLink address={j.trainer.id} /> : "—"}</td>
                  <td>{formatTime(j.createdAt)}</td>
                  <td>{j.model ? <Link to={`/jobs/${j.id}/report`}>Model #{j.model.id} · report</Link> : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </>
  );
}
