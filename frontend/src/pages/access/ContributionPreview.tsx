// What an approver accepts, seen before they accept it: a pending contribution's records
// (decrypted in this browser through the Datanet's key service when encrypted), searchable,
// with per-record checks, duplicates of the Datanet's accepted records among them. Records are
// rendered as text, never as HTML.
import { useMemo, useState } from "react";
import { useContributionRecords } from "../../data/hooks/useContributionRecords.ts";
import type { ContributionEntity } from "../../data/types.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { Badge } from "../../ui/bits.tsx";
import { RecordView } from "../contribute/RecordPreview.tsx";
import { describeAccepted } from "./accepted-fingerprints.ts";
import { checkRecords, FLAG_LABELS, recordSearchText } from "./record-checks.ts";

const SHOWN = 50;

export function ContributionPreview({ c, onClose }: { c: ContributionEntity; onClose: () => void }) {
  const [q, setQ] = useState("");
  const query = useContributionRecords(c);
  const flags = useMemo(() => (query.data ? checkRecords(query.data.records, query.data.accepted.fingerprints) : []), [query.data]);
  const rows = useMemo(() => {
    if (!query.data) return [];
    const needle = q.trim().toLowerCase();
    return query.data.records
      .map((r, i) => ({ r, i, flags: flags[i]! }))
      .filter((x) => !needle || recordSearchText(x.r).toLowerCase().includes(needle));
  }, [query.data, flags, q]);
  const flagged = flags.filter((f) => f.length > 0).length;
  return (
    <section className="panel" aria-label={`Records of contribution ${c.id}`} data-testid="contribution-preview">
      <div className="row">
        <h3>Contribution #{c.id}</h3>
        {query.data ? (
          <Badge tone={query.data.encrypted ? "info" : "neutral"}>
            {query.data.encrypted ? "decrypted in this browser" : "stored in the clear"}
          </Badge>
        ) : null}
        <span className="spacer" />
        <button className="btn btn-small" onClick={onClose}>
          Close
        </button>
      </div>
      {query.isPending ? (
        <p className="hint">
          Reading the records, and the Datanet's accepted ones to find duplicates… encrypted contributions ask your wallet to sign one key
          request to the Datanet's key service.
        </p>
      ) : null}
      {query.error ? (
        <p className="field-error" role="alert">
          {errorSentence(query.error)}
        </p>
      ) : null}
      {query.data ? (
        <>
          <p className="hint" data-testid="preview-summary">
            {query.data.records.length} records, verified against the on-chain content hash;{" "}
            {flagged ? `${flagged} flagged` : "none flagged"}.
          </p>
          <p className="hint" data-testid="preview-compared">
            {describeAccepted(query.data.accepted)}
          </p>
          <label htmlFor={`search-${c.id}`} className="sr-only">
            Search records
          </label>
          <input
            id={`search-${c.id}`}
            className="input"
            type="search"
            placeholder="Search these records"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <ol className="records">
            {rows.slice(0, SHOWN).map(({ r, i, flags: f }) => (
              <li key={i} data-testid="preview-record">
                <span className="hint">#{i + 1}</span>{" "}
                {f.map((flag) => (
                  <Badge key={flag} tone="warn">
                    {FLAG_LABELS[flag]}
                  </Badge>
                ))}
                <RecordView record={r} />
              </li>
            ))}
          </ol>
          {rows.length > SHOWN ? <p className="hint">{rows.length - SHOWN} more match; refine the search.</p> : null}
        </>
      ) : null}
    </section>
  );
}
