// A builder's access: redeem a signed grant (pasted or from a link), and see grants with
// their expiry and requests with their status.
import { useEffect, useState } from "react";
import { useAccount } from "wagmi";
import { decodeSignedAccessGrant, recoverAccessGrantSigner, scopeNames, type SignedAccessGrant } from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import { useGrants } from "../../data/hooks/useGrants.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { Link, useSearchParam } from "../../router/router.tsx";
import { AddressLink, Badge, PageHeader, Scopes, StatusBadge } from "../../ui/bits.tsx";
import { formatTime, timeFromNow } from "../../ui/format.ts";
import { Empty, QueryView } from "../../ui/states.tsx";
import { useTransaction } from "../../wallet/use-transaction.ts";
import { WalletGate } from "../../wallet/WalletGate.tsx";
import { grantFromLinkParam } from "./grant-form.ts";

function Redeem() {
  const config = useAppConfig();
  const send = useTransaction();
  const [param, setParam] = useSearchParam("grant");
  const [text, setText] = useState(() => {
    try {
      return param ? grantFromLinkParam(param) : "";
    } catch {
      return "";
    }
  });
  const [parsed, setParsed] = useState<{ grant: SignedAccessGrant; signer: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setParsed(null);
    setError(null);
    if (!text.trim()) return;
    let cancelled = false;
    (async () => {
      try {
        const grant = decodeSignedAccessGrant(text.trim());
        const signer = await recoverAccessGrantSigner(config.chainId, config.contracts.DatanetRegistry.address, grant);
        if (!cancelled) setParsed({ grant, signer });
      } catch (e) {
        if (!cancelled) setError(errorSentence(e));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [text, config]);
  const signerMatches = parsed && parsed.signer.toLowerCase() === parsed.grant.approver.toLowerCase();
  return (
    <section className="panel" aria-labelledby="redeem-h">
      <h2 id="redeem-h">Redeem a signed grant</h2>
      <label htmlFor="grant-text">Paste the signed grant an approver sent you</label>
      <textarea id="grant-text" className="grant" value={text} onChange={(e) => setText(e.target.value)} placeholder='{"grant":{…},"approver":"0x…","signature":"0x…"}' />
      {error ? <p className="field-error" role="alert">{error}</p> : null}
      {parsed ? (
        <div data-testid="grant-preview">
          <dl className="kv">
            <dt>Datanet</dt><dd><Link to={`/datanets/${parsed.grant.grant.datanetId}`}>#{parsed.grant.grant.datanetId.toString()}</Link></dd>
            <dt>Grantee</dt><dd className="mono">{parsed.grant.grant.grantee}</dd>
            <dt>Scopes</dt><dd>{scopeNames(parsed.grant.grant.scopes).join(", ")}</dd>
            <dt>Access until</dt><dd>{formatTime(parsed.grant.grant.expiresAt)}</dd>
            <dt>Redeem before</dt><dd>{formatTime(parsed.grant.grant.deadline)}</dd>
            <dt>Signed by</dt><dd><span className="mono">{parsed.signer}</span> {signerMatches ? <Badge tone="good">signature valid</Badge> : <Badge tone="bad">signer is not the named approver</Badge>}</dd>
          </dl>
          <button
            className="btn btn-primary"
            disabled={!signerMatches}
            onClick={() =>
              void send(`Redeem grant for Datanet #${parsed.grant.grant.datanetId}`, {
                contract: "DatanetRegistry",
                functionName: "grantAccessBySig",
                args: [parsed.grant.grant, parsed.grant.approver, parsed.grant.signature],
              }).then(() => {
                setText("");
                if (param) setParam("");
              }, () => {})
            }
          >
            Redeem on chain
          </button>
        </div>
      ) : null}
    </section>
  );
}

function Mine({ address }: { address: string }) {
  const query = useGrants({ grantee: address });
  const now = Date.now() / 1000;
  return (
    <QueryView query={query}>
      {(d) => (
        <>
          <section aria-labelledby="grants-h">
            <h2 id="grants-h">Your grants</h2>
            {d.grants.length === 0 ? (
              <Empty title="No grants yet."><Link to="/datanets">Request access to a Datanet.</Link></Empty>
            ) : (
              <table className="table" data-testid="my-grants">
                <thead><tr><th>Datanet</th><th>Scopes</th><th>Expires</th><th>Approver</th><th>Status</th></tr></thead>
                <tbody>
                  {d.grants.map((g) => (
                    <tr key={g.id}>
                      <td><Link to={`/datanets/${g.datanet.id}`}>#{g.datanet.id}</Link></td>
                      <td><Scopes scopes={g.scopes} /></td>
                      <td>{formatTime(g.expiresAt)} <span className="hint">({timeFromNow(Number(g.expiresAt))})</span></td>
                      <td><AddressLink address={g.approver.id} /></td>
                      <td>{!g.active ? <Badge tone="bad">revoked</Badge> : Number(g.expiresAt) < now ? <Badge>expired</Badge> : <Badge tone="good">active</Badge>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="req-h">
            <h2 id="req-h">Your requests</h2>
            {d.requests.length === 0 ? (
              <Empty title="No requests." />
            ) : (
              <table className="table">
                <thead><tr><th>#</th><th>Datanet</th><th>Scopes</th><th>Sent</th><th>Status</th></tr></thead>
                <tbody>
                  {d.requests.map((r) => (
                    <tr key={r.id}>
                      <td>{r.id}</td>
                      <td><Link to={`/datanets/${r.datanet.id}`}>#{r.datanet.id}</Link></td>
                      <td><Scopes scopes={r.scopes} /></td>
                      <td>{formatTime(r.createdAt)}</td>
                      <td><StatusBadge status={r.status} /></td>
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

export default function MyAccessPage() {
  const { address } = useAccount();
  return (
    <>
      <PageHeader title="My access" subtitle="Grants that let you train on, retrieve from and evaluate with permissioned Datanets." />
      <WalletGate reason="to redeem grants and see your access">
        <Redeem />
        {address ? <Mine address={address} /> : null}
      </WalletGate>
    </>
  );
}
