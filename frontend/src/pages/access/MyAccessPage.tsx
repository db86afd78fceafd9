// A builder's access: redeem a signed grant (pasted or from a link), and see grants with
// their expiry and requests with their status.
import { useEffect, useState } from "react";
import { decodeSignedAccessGrant, recoverAccessGrantSigner, scopeNames, type SignedAccessGrant } from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import type { GrantsAndRequests } from "../../data/actions/fetch-grants.ts";
import { useGrants } from "../../data/hooks/useGrants.ts";
import { useRedeemSignedGrant } from "../../data/hooks/useRedeemSignedGrant.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { Link, useSearchParam } from "../../router/router.tsx";
import { AddressLink, Badge, Scopes, StatusBadge } from "../../ui/bits.tsx";
import { formatTime, timeFromNow } from "../../ui/format.ts";
import { Table } from "../../ui/Table.tsx";
import { WalletQueryPage } from "../../wallet/WalletQueryPage.tsx";
import { grantFromLinkParam } from "./grant-form.ts";

function Redeem() {
  const config = useAppConfig();
  const redeem = useRedeemSignedGrant();
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
      <textarea
        id="grant-text"
        className="grant"
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder='{"grant":{…},"approver":"0x…","signature":"0x…"}'
      />
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {parsed ? (
        <div data-testid="grant-preview">
          <dl className="kv">
            <dt>Datanet</dt>
            <dd>
              <Link to={`/datanets/${parsed.grant.grant.datanetId}`}>#{parsed.grant.grant.datanetId.toString()}</Link>
            </dd>
            <dt>Grantee</dt>
            <dd className="mono">{parsed.grant.grant.grantee}</dd>
            <dt>Scopes</dt>
            <dd>{scopeNames(parsed.grant.grant.scopes).join(", ")}</dd>
            <dt>Access until</dt>
            <dd>{formatTime(parsed.grant.grant.expiresAt)}</dd>
            <dt>Redeem before</dt>
            <dd>{formatTime(parsed.grant.grant.deadline)}</dd>
            <dt>Signed by</dt>
            <dd>
              <span className="mono">{parsed.signer}</span>{" "}
              {signerMatches ? <Badge tone="good">signature valid</Badge> : <Badge tone="bad">signer is not the named approver</Badge>}
            </dd>
          </dl>
          <button
            className="btn btn-primary"
            disabled={!signerMatches || redeem.isPending}
            onClick={() =>
              void redeem.mutateAsync({ signed: parsed.grant }).then(
                () => {
                  setText("");
                  if (param) setParam("");
                },
                () => {},
              )
            }
          >
            Redeem on chain
          </button>
        </div>
      ) : null}
    </section>
  );
}

function Mine({ d }: { d: GrantsAndRequests }) {
  const now = Date.now() / 1000;
  return (
    <>
      <section aria-labelledby="grants-h">
        <h2 id="grants-h">Your grants</h2>
        <Table
          rows={d.grants}
          head={["Datanet", "Scopes", "Expires", "Approver", "Status"]}
          empty={{ title: "No grants yet.", children: <Link to="/datanets">Request access to a Datanet.</Link> }}
          testId="my-grants"
          row={(g) => (
            <tr key={g.id}>
              <td>
                <Link to={`/datanets/${g.datanet.id}`}>#{g.datanet.id}</Link>
              </td>
              <td>
                <Scopes scopes={g.scopes} />
              </td>
              <td>
                {formatTime(g.expiresAt)} <span className="hint">({timeFromNow(Number(g.expiresAt))})</span>
              </td>
              <td>
                <AddressLink address={g.approver.id} />
              </td>
              <td>
                {!g.active ? (
                  <Badge tone="bad">revoked</Badge>
                ) : Number(g.expiresAt) < now ? (
                  <Badge>expired</Badge>
                ) : (
                  <Badge tone="good">active</Badge>
                )}
              </td>
            </tr>
          )}
        />
      </section>
      <section aria-labelledby="req-h">
        <h2 id="req-h">Your requests</h2>
        <Table
          rows={d.requests}
          head={["#", "Datanet", "Scopes", "Sent", "Status"]}
          empty={{ title: "No requests." }}
          row={(r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>
                <Link to={`/datanets/${r.datanet.id}`}>#{r.datanet.id}</Link>
              </td>
              <td>
                <Scopes scopes={r.scopes} />
              </td>
              <td>{formatTime(r.createdAt)}</td>
              <td>
                <StatusBadge status={r.status} />
              </td>
            </tr>
          )}
        />
      </section>
    </>
  );
}

const useGrantsOf = (account: string) => useGrants({ grantee: account });

export default function MyAccessPage() {
  return (
    <WalletQueryPage
      title="My access"
      subtitle="Grants that let you train on, retrieve from and evaluate with permissioned Datanets."
      reason="to redeem grants and see your access"
      before={<Redeem />}
      useData={useGrantsOf}
    >
      {(d) => <Mine d={d} />}
    </WalletQueryPage>
  );
}
