// The approver's inbox: pending contributions (previewed — decrypted in the browser when
// encrypted — then batch accept/reject), pending access requests (grant by signature or
// transaction, or deny), and the grants they may revoke.
import { useState } from "react";
import { useAccount } from "wagmi";
import { useContentJson } from "../../data/hooks/useContentJson.ts";
import { useInbox } from "../../data/hooks/useInbox.ts";
import type { AccessRequestEntity, ContributionEntity } from "../../data/types.ts";
import { Link } from "../../router/router.tsx";
import { AddressLink, PageHeader, Scopes } from "../../ui/bits.tsx";
import { formatTime, timeFromNow } from "../../ui/format.ts";
import { Empty, QueryView } from "../../ui/states.tsx";
import { useTransaction } from "../../wallet/use-transaction.ts";
import { WalletGate } from "../../wallet/WalletGate.tsx";
import { ContributionsTable } from "../datanets/ContributionsTable.tsx";
import { ContributionPreview } from "./ContributionPreview.tsx";
import { GrantForm } from "./GrantForm.tsx";

function Purpose({ uri }: { uri: string }) {
  const doc = useContentJson<{ purpose?: string }>(uri);
  return <span className="preview-text">{doc.data?.purpose ?? (doc.isPending ? "…" : "(purpose unavailable)")}</span>;
}

function RequestRow({ r, datanetIds }: { r: AccessRequestEntity; datanetIds: string[] }) {
  const send = useTransaction();
  const [open, setOpen] = useState(false);
  return (
    <li className="panel" data-testid="access-request">
      <div className="row">
        <strong>Request #{r.id}</strong> · <Link to={`/datanets/${r.datanet.id}`}>Datanet #{r.datanet.id}</Link> · <AddressLink address={r.requester.id} /> · <Scopes scopes={r.scopes} />
        <span className="hint">{formatTime(r.createdAt)}</span>
        <span className="spacer" />
        <button className="btn btn-small btn-primary" onClick={() => setOpen(!open)} aria-expanded={open}>
          Grant…
        </button>
        <button
          className="btn btn-small btn-danger"
          onClick={() => {
            const reason = prompt("Reason for denying (shown to the builder):", "Purpose does not fit this Datanet's license.");
            if (reason !== null) void send(`Deny request #${r.id}`, { contract: "DatanetRegistry", functionName: "denyAccessRequest", args: [BigInt(r.datanet.id), BigInt(r.id), reason] }).catch(() => {});
          }}
        >
          Deny
        </button>
      </div>
      <p>
        <Purpose uri={r.purposeURI} />
      </p>
      {open ? <GrantForm initial={{ datanetId: r.datanet.id, grantee: r.requester.id, scopes: r.scopes }} datanetIds={datanetIds} /> : null}
    </li>
  );
}

function Inbox({ address }: { address: string }) {
  const query = useInbox(address);
  const send = useTransaction();
  const [selected, setSelected] = useState(new Set<string>());
  const [preview, setPreview] = useState<ContributionEntity | null>(null);
  const toggle = (id: string) => setSelected((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));
  const review = async (accept: boolean) => {
    const ids = [...selected].map((x) => BigInt(x)).sort((a, b) => (a < b ? -1 : 1));
    if (accept) await send(`Accept ${ids.length} contribution(s)`, { contract: "DatanetRegistry", functionName: "acceptContributions", args: [ids] }).catch(() => {});
    else {
      const reason = prompt("Reason for rejecting (shown to the contributor):", "Does not meet the Datanet's quality bar.");
      if (reason === null) return;
      await send(`Reject ${ids.length} contribution(s)`, { contract: "DatanetRegistry", functionName: "rejectContributions", args: [ids, reason] }).catch(() => {});
    }
    setSelected(new Set());
  };
  return (
    <QueryView query={query} empty={(d) => (d.datanetIds.length ? null : <Empty title="You approve no Datanet.">Create one, or ask an owner to add you as an approver.</Empty>)}>
      {(d) => (
        <>
          <section aria-labelledby="pc-h">
            <h2 id="pc-h">Pending contributions ({d.contributions.length})</h2>
            {d.contributions.length === 0 ? (
              <Empty title="Nothing to review." />
            ) : (
              <>
                <div className="toolbar">
                  <button className="btn btn-small" onClick={() => setSelected(new Set(d.contributions.map((c) => c.id)))}>Select all</button>
                  <button className="btn btn-small btn-primary" disabled={selected.size === 0} onClick={() => void review(true)}>
                    Accept selected ({selected.size})
                  </button>
                  <button className="btn btn-small btn-danger" disabled={selected.size === 0} onClick={() => void review(false)}>
                    Reject selected
                  </button>
                </div>
                <ContributionsTable rows={d.contributions} selected={selected} onToggle={toggle} showDatanet />
                <div className="toolbar" aria-label="Preview before you accept">
                  {d.contributions.map((c) => (
                    <button key={c.id} className="btn btn-small" onClick={() => setPreview(c)}>Preview #{c.id}</button>
                  ))}
                </div>
                {preview ? <ContributionPreview key={preview.id} c={preview} onClose={() => setPreview(null)} /> : null}
              </>
            )}
          </section>
          <section aria-labelledby="ar-h">
            <h2 id="ar-h">Pending access requests ({d.requests.length})</h2>
            {d.requests.length === 0 ? <Empty title="No pending requests." /> : <ul style={{ listStyle: "none", padding: 0 }}>{d.requests.map((r) => <RequestRow key={r.id} r={r} datanetIds={d.datanetIds} />)}</ul>}
          </section>
          <section aria-labelledby="sg-h">
            <h2 id="sg-h">Sign a grant without a request</h2>
            <GrantForm initial={{}} datanetIds={d.datanetIds} />
          </section>
          <section aria-labelledby="ag-h">
            <h2 id="ag-h">Active grants on your Datanets ({d.grants.length})</h2>
            {d.grants.length === 0 ? (
              <Empty title="No active grants." />
            ) : (
              <table className="table">
                <thead><tr><th>Datanet</th><th>Grantee</th><th>Scopes</th><th>Expires</th><th>How</th><th /></tr></thead>
                <tbody>
                  {d.grants.map((g) => (
                    <tr key={g.id}>
                      <td>#{g.datanet.id}</td>
                      <td><AddressLink address={g.grantee.id} /></td>
                      <td><Scopes scopes={g.scopes} /></td>
                      <td>{formatTime(g.expiresAt)} <span className="hint">({timeFromNow(Number(g.expiresAt))})</span></td>
                      <td>{g.bySignature ? "signature" : "transaction"}</td>
                      <td>
                        <button className="btn btn-small btn-danger" onClick={() => void send(`Revoke access of ${g.grantee.id.slice(0, 8)}…`, { contract: "DatanetRegistry", functionName: "revokeAccess", args: [BigInt(g.datanet.id), g.grantee.id] }).catch(() => {})}>
                          Revoke
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </QueryView>
  );
}

export default function InboxPage() {
  const { address } = useAccount();
  return (
    <>
      <PageHeader title="Approver inbox" subtitle="Review contributions and access requests for the Datanets you own or approve." />
      <WalletGate reason="to see your inbox">{address ? <Inbox address={address} /> : null}</WalletGate>
    </>
  );
}
