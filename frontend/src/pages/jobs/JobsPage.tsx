// Training jobs: yours (with a wallet) or everyone's; tick two to four to compare them.
import { useState } from "react";
import { useAccount } from "wagmi";
import { useJobs } from "../../data/hooks/useJobs.ts";
import { Link } from "../../router/router.tsx";
import { compareHref, MAX_COMPARED, MIN_COMPARED } from "./compare.ts";
import { AddressLink, PageHeader, StatusBadge } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { Empty, QueryView } from "../../ui/states.tsx";

export default function JobsPage() {
  const { address } = useAccount();
  const query = useJobs(address);
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  const canCompare = picked.length >= MIN_COMPARED && picked.length <= MAX_COMPARED;
  return (
    <>
      <PageHeader title={address ? "Your training jobs" : "Training jobs"}>
        {canCompare ? (
          <Link className="btn" to={compareHref(picked)} data-testid="compare-jobs">
            Compare {picked.length} jobs
          </Link>
        ) : (
          <button className="btn" disabled title={`Tick ${MIN_COMPARED} to ${MAX_COMPARED} jobs to compare them`}>
            Compare{picked.length > MAX_COMPARED ? ` (at most ${MAX_COMPARED})` : ""}
          </button>
        )}
        <Link className="btn btn-primary" to="/train">
          New training job
        </Link>
      </PageHeader>
      <QueryView
        query={query}
        empty={(j) =>
          j.length ? null : (
            <Empty title="No training jobs yet.">
              <Link to="/train">Start one.</Link>
            </Empty>
          )
        }
      >
        {(jobs) => (
          <table className="table">
            <thead>
              <tr>
                <th>
                  <span className="sr-only">Compare</span>
                </th>
                <th>Job</th>
                <th>State</th>
                <th>Datanets</th>
                <th>Builder</th>
                <th>Trainer</th>
                <th>Created</th>
                <th>Model</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Compare job #${j.id}`}
                      checked={picked.includes(j.id)}
                      onChange={() => toggle(j.id)}
                    />
                  </td>
                  <td>
                    <Link to={`/jobs/${j.id}`}>Job #{j.id}</Link>
                  </td>
                  <td>
                    <StatusBadge status={j.state} />
                    {j.failureReason ? <div className="hint">{j.failureReason}</div> : null}
                  </td>
                  <td>{j.datanets.map((d) => `#${d.id}`).join(", ")}</td>
                  <td>
                    <AddressLink address={j.builder.id} />
                  </td>
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
