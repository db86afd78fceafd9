// A contributor's contributions: status, citations, withdrawal.
import { useAccount } from "wagmi";
import { useContributions } from "../../data/hooks/useContributions.ts";
import { Link } from "../../router/router.tsx";
import { PageHeader } from "../../ui/bits.tsx";
import { Empty, QueryView } from "../../ui/states.tsx";
import { useTransaction } from "../../wallet/use-transaction.ts";
import { WalletGate } from "../../wallet/WalletGate.tsx";
import { ContributionsTable } from "../datanets/ContributionsTable.tsx";

function Mine({ address }: { address: string }) {
  const query = useContributions({ contributor: address });
  const send = useTransaction();
  return (
    <QueryView query={query} empty={(rows) => (rows.length ? null : <Empty title="You have not contributed yet."><Link to="/datanets">Find a Datanet to contribute to.</Link></Empty>)}>
      {(rows) => {
        const cited = rows.reduce((s, c) => s + c.citationCount, 0);
        return (
          <>
            <div className="stats">
              <div className="stat"><b>{rows.length}</b><span>contributions</span></div>
              <div className="stat"><b>{rows.filter((c) => c.status === "Accepted").length}</b><span>accepted</span></div>
              <div className="stat"><b>{rows.filter((c) => c.status === "Pending").length}</b><span>pending review</span></div>
              <div className="stat"><b>{cited}</b><span>citations in answers</span></div>
            </div>
            <ContributionsTable
              rows={rows}
              showDatanet
              actions={(c) =>
                c.status === "Pending" || c.status === "Accepted" ? (
                  <button
                    className="btn btn-small btn-danger"
                    onClick={() => {
                      if (confirm(`Withdraw contribution #${c.id}? It leaves every future training job and the chat retrieval index.`)) {
                        void send(`Withdraw contribution #${c.id}`, { contract: "DatanetRegistry", functionName: "withdrawContribution", args: [BigInt(c.id)] }).catch(() => {});
                      }
                    }}
                  >
                    Withdraw
                  </button>
                ) : null
              }
            />
          </>
        );
      }}
    </QueryView>
  );
}

export default function MyContributionsPage() {
  const { address } = useAccount();
  return (
    <>
      <PageHeader title="My contributions" subtitle="What you contributed, its review status, and how often answers cited it." />
      <WalletGate reason="to see your contributions">{address ? <Mine address={address} /> : null}</WalletGate>
    </>
  );
}
