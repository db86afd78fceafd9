// Contributions as a table, with their metadata title, status and citations; optional
// selection for batch review.
import type { ContributionMetadata } from "@sdk/dataset/metadata.ts";
import { useContentJson } from "../../data/hooks/useContentJson.ts";
import type { ContributionEntity } from "../../data/types.ts";
import { Link } from "../../router/router.tsx";
import { AddressLink, Hash, StatusBadge } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";

export function ContributionTitle({ uri }: { uri: string }) {
  const meta = useContentJson<ContributionMetadata>(uri);
  if (!meta.data) return <span className="hint">{meta.isPending ? "…" : "untitled"}</span>;
  return (
    <span>
      {meta.data.title} <span className="hint">({meta.data.recordCount} records)</span>
    </span>
  );
}

export function ContributionsTable({
  rows,
  selected,
  onToggle,
  actions,
  showDatanet,
}: {
  rows: ContributionEntity[];
  selected?: Set<string>;
  onToggle?: (id: string) => void;
  actions?: (c: ContributionEntity) => React.ReactNode;
  showDatanet?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            {onToggle ? (
              <th>
                <span className="sr-only">Select</span>
              </th>
            ) : null}
            <th>#</th>
            <th>Title</th>
            {showDatanet ? <th>Datanet</th> : null}
            <th>Contributor</th>
            <th>Status</th>
            <th className="num">Citations</th>
            <th>Content hash</th>
            <th>Registered</th>
            {actions ? (
              <th>
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} data-testid="contribution-row">
              {onToggle ? (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select contribution ${c.id}`}
                    checked={selected?.has(c.id) ?? false}
                    onChange={() => onToggle(c.id)}
                  />
                </td>
              ) : null}
              <td>{c.id}</td>
              <td>
                <ContributionTitle uri={c.metadataURI} />
              </td>
              {showDatanet ? (
                <td>
                  <Link to={`/datanets/${c.datanet.id}`}>#{c.datanet.id}</Link>
                </td>
              ) : null}
              <td>
                <AddressLink address={c.contributor.id} />
              </td>
              <td>
                <StatusBadge status={c.status} />
                {c.statusReason ? <div className="hint">{c.statusReason}</div> : null}
              </td>
              <td className="num">{c.citationCount}</td>
              <td>
                <Hash value={c.contentHash} />
              </td>
              <td>{formatTime(c.createdAt)}</td>
              {actions ? <td>{actions(c)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
