// The approver's inbox: pending contributions (previewed — decrypted in the browser when
// encrypted — then batch accept/reject), pending access requests (grant by signature or
// transaction, or deny), and the grants they may revoke.
import { useState } from "react";
import { useAcceptContributions } from "../../data/hooks/useAcceptContributions.ts";
import { useContentJson } from "../../data/hooks/useContentJson.ts";
import { useDenyAccessRequest } from "../../data/hooks/useDenyAccessRequest.ts";
import { useInbox } from "../../data/hooks/useInbox.ts";
import { useRejectContributions } from "../../data/hooks/useRejectContributions.ts";
import { useRevokeAccess } from "../../data/hooks/useRevokeAccess.ts";
import type { ApproverInbox } from "../../data/actions/fetch-approver-inbox.ts";
import type { AccessRequestEntity, ContributionEntity } from "../../data/types.ts";
import { Link } from "../../router/router.tsx";
import { AddressLink, Scopes } from "../../ui/bits.tsx";
import { formatTime, timeFromNow } from "../../ui/format.ts";
import { ReasonForm } from "../../ui/ReasonForm.tsx";
import { Empty } from "../../ui/states.tsx";
import { Table } from "../../ui/Table.tsx";
import { WalletQueryPage } from "../../wallet/WalletQueryPage.tsx";
import { ContributionsTable } from "../datanets/ContributionsTable.tsx";
import { ContributionPreview } from "./ContributionPreview.tsx";
import { GrantForm } from "./GrantForm.tsx";

function Purpose({ uri }: { uri: string }) {
  const doc = useContentJson<{ purpose?: string }>(uri);
  return <span className="preview-text">{doc.data?.purpose ?? (doc.isPending ? "…" : "(purpose unavailable)")}</span>;
}

function RequestRow({ r, datanetIds }: { r: AccessRequestEntity; datanetIds: string[] }) {
  const deny = useDenyAccessRequest();
  const [open, setOpen] = useState(false);
  const [denying, setDenying] = useState(false);
  return (
    <li className="panel" data-testid="access-request">
      <div className="row">
        <strong>Request #{r.id}</strong> · <Link to={`/datanets/${r.datanet.id}`}>Datanet #{r.datanet.id}</Link> ·{" "}
        <AddressLink address={r.requester.id} /> · <Scopes scopes={r.scopes} />
        <span className="hint">{formatTime(r.createdAt)}</span>
        <span className="spacer" />
        <button className="btn btn-small btn-primary" onClick={() => setOpen(!open)} aria-expanded={open}>
          Grant…
        </button>
        <button className="btn btn-small btn-danger" onClick={() => setDenying(true)} aria-expanded={denying} disabled={denying}>
          Deny…
        </button>
      </div>
      {denying ? (
        <ReasonForm
          label="Reason for denying (shown to the builder)"
          confirmLabel={`Deny request #${r.id}`}
          initial="Purpose does not fit this Datanet's license."
          busy={deny.isPending}
          onCancel={() => setDenying(false)}
          onConfirm={(reason) =>
            void deny.mutateAsync({ datanetId: r.datanet.id, requestId: r.id, reason }).then(
              () => setDenying(false),
              () => {},
            )
          }
        />
      ) : null}
      <p>
        <Purpose uri={r.purposeURI} />
      </p>
      {open ? <GrantForm initial={{ datanetId: r.datanet.id, grantee: r.requester.id, scopes: r.scopes }} datanetIds={datanetIds} /> : null}
    </li>
  );
}

function Inbox({ d }: { d: ApproverInbox }) {
  const accept = useAcceptContributions();
  const reject = useRejectContributions();
  const revoke = useRevokeAccess();
  const [selected, setSelected] = useState(new Set<string>());
  const [rejecting, setRejecting] = useState(false);
  const [preview, setPreview] = useState<ContributionEntity | null>(null);
  const toggle = (id: string) => setSelected((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));
  const reviewed = () => {
    setSelected(new Set());
    setRejecting(false);
  };
  return (
    <>
      <section aria-labelledby="pc-h">
        <h2 id="pc-h">Pending contributions ({d.contributions.length})</h2>
        {d.contributions.length === 0 ? (
          <Empty title="Nothing to review." />
        ) : (
          <>
            <div className="toolbar">
              <button className="btn btn-small" onClick={() => setSelected(new Set(d.contributions.map((c) => c.id)))}>
                Select all
              </button>
              <button
                className="btn btn-small btn-primary"
                disabled={selected.size === 0 || accept.isPending}
                onClick={() => void accept.mutateAsync({ contributionIds: [...selected] }).then(reviewed, () => {})}
              >
                Accept selected ({selected.size})
              </button>
              <button
                className="btn btn-small btn-danger"
                disabled={selected.size === 0 || rejecting}
                aria-expanded={rejecting}
                onClick={() => setRejecting(true)}
              >
                Reject selected…
              </button>
            </div>
            {rejecting && selected.size > 0 ? (
              <ReasonForm
                label="Reason for rejecting (shown to the contributor)"
                confirmLabel={`Reject ${selected.size} contribution(s)`}
                initial="Does not meet the Datanet's quality bar."
                busy={reject.isPending}
                onCancel={() => setRejecting(false)}
                onConfirm={(reason) => void reject.mutateAsync({ contributionIds: [...selected], reason }).then(reviewed, () => {})}
              />
            ) : null}
            <ContributionsTable rows={d.contributions} selected={selected} onToggle={toggle} showDatanet />
            <div className="toolbar" aria-label="Preview before you accept">
              {d.contributions.map((c) => (
                <button key={c.id} className="btn btn-small" onClick={() => setPreview(c)}>
                  Preview #{c.id}
                </button>
              ))}
            </div>
            {preview ? <ContributionPreview key={preview.id} c={preview} onClose={() => setPreview(null)} /> : null}
          </>
        )}
      </section>
      <section aria-labelledby="ar-h">
        <h2 id="ar-h">Pending access requests ({d.requests.length})</h2>
        {d.requests.length === 0 ? (
          <Empty title="No pending requests." />
        ) : (
          <ul style={{ listStyle: "none", padding: 0 }}>
            {d.requests.map((r) => (
              <RequestRow key={r.id} r={r} datanetIds={d.datanetIds} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="sg-h">
        <h2 id="sg-h">Sign a grant without a request</h2>
        <GrantForm initial={{}} datanetIds={d.datanetIds} />
      </section>
      <section aria-labelledby="ag-h">
        <h2 id="ag-h">Active grants on your Datanets ({d.grants.length})</h2>
        <Table
          rows={d.grants}
          head={["Datanet", "Grantee", "Scopes", "Expires", "How", ""]}
          empty={{ title: "No active grants." }}
          row={(g) => (
            <tr key={g.id}>
              <td>#{g.datanet.id}</td>
              <td>
                <AddressLink address={g.grantee.id} />
              </td>
              <td>
                <Scopes scopes={g.scopes} />
              </td>
              <td>
                {formatTime(g.expiresAt)} <span className="hint">({timeFromNow(Number(g.expiresAt))})</span>
              </td>
              <td>{g.bySignature ? "signature" : "transaction"}</td>
              <td>
                <button
                  className="btn btn-small btn-danger"
                  disabled={revoke.isPending}
                  onClick={() => void revoke.mutateAsync({ datanetId: g.datanet.id, grantee: g.grantee.id }).catch(() => {})}
                >
                  Revoke
                </button>
              </td>
            </tr>
          )}
        />
      </section>
    </>
  );
}

export default function InboxPage() {
  return (
    <WalletQueryPage
      title="Approver inbox"
      subtitle="Review contributions and access requests for the Datanets you own or approve."
      reason="to see your inbox"
      useData={useInbox}
      empty={(d) =>
        d.datanetIds.length ? null : <Empty title="You approve no Datanet.">Create one, or ask an owner to add you as an approver.</Empty>
      }
    >
      {(d) => <Inbox d={d} />}
    </WalletQueryPage>
  );
}
