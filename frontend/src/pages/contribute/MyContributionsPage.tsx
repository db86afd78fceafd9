// A contributor's contributions: status, citations, withdrawal.
import { useContributions } from "../../data/hooks/useContributions.ts";
import { useWithdrawContribution } from "../../data/hooks/useWithdrawContribution.ts";
import type { ContributionEntity } from "../../data/types.ts";
import { Link } from "../../router/router.tsx";
import { Empty } from "../../ui/states.tsx";
import { WalletQueryPage } from "../../wallet/WalletQueryPage.tsx";
import { ContributionsTable } from "../datanets/ContributionsTable.tsx";

function Mine({ rows }: { rows: ContributionEntity[] }) {
  const withdraw = useWithdrawContribution();
  const cited = rows.reduce((s, c) => s + c.citationCount, 0);
  return (
    <>
      <div className="stats">
        <div className="stat">
          <b>{rows.length}</b>
          <span>contributions</span>
        </div>
        <div className="stat">
          <b>{rows.filter((c) => c.status === "Accepted").length}</b>
          <span>accepted</span>
        </div>
        <div className="stat">
          <b>{rows.filter((c) => c.status === "Pending").length}</b>
          <span>pending review</span>
        </div>
        <div className="stat">
          <b>{cited}</b>
          <span>citations in answers</span>
        </div>
      </div>
      <ContributionsTable
        rows={rows}
        showDatanet
        actions={(c) =>
          c.status === "Pending" || c.status === "Accepted" ? (
            <button
              className="btn btn-small btn-danger"
              disabled={withdraw.isPending}
              onClick={() => {
                if (confirm(`Withdraw contribution #${c.id}? It leaves every future training job and the chat retrieval index.`)) {
                  void withdraw.mutateAsync({ contributionId: c.id }).catch(() => {});
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
}

const useContributionsOf = (account: string) => useContributions({ contributor: account });

export default function MyContributionsPage() {
  return (
    <WalletQueryPage
      title="My contributions"
      subtitle="What you contributed, its review status, and how often answers cited it."
      reason="to see your contributions"
      useData={useContributionsOf}
      empty={(rows) =>
        rows.length ? null : (
          <Empty title="You have not contributed yet.">
            <Link to="/datanets">Find a Datanet to contribute to.</Link>
          </Empty>
        )
      }
    >
      {(rows) => <Mine rows={rows} />}
    </WalletQueryPage>
  );
}
