// Post-training data insights: each contribution's loss under the published weights, on its
// training records and its held-out records, with the contributions whose loss stays far above the
// rest flagged. Numbers and contribution ids only (the report carries no record text). Shown on the
// report page and, for their own Datanet, to its approvers.
import type { ContributionLossInsight, ContributionSideLoss, DataInsights } from "@modelfactory/sdk";
import { Badge } from "../../ui/bits.tsx";
import { formatNumber } from "../../ui/format.ts";

function Loss({ side, z }: { side: ContributionSideLoss | null; z: number | null }) {
  if (!side) return <span className="hint">–</span>;
  return (
    <>
      {side.loss === null ? "not finite" : formatNumber(side.loss, 3)}
      <span className="hint">
        {" "}
        · {side.records} records{z !== null ? ` · z ${z.toFixed(1)}` : ""}
      </span>
    </>
  );
}

/** Flagged first, then by the highest loss on either side: the contributions to look at come first. */
export function insightOrder(rows: readonly ContributionLossInsight[]): ContributionLossInsight[] {
  const worst = (r: ContributionLossInsight) => Math.max(r.train?.loss ?? -Infinity, r.heldOut?.loss ?? -Infinity);
  return [...rows].sort((a, b) => Number(b.flagged) - Number(a.flagged) || worst(b) - worst(a));
}

/** One sentence on why a row is flagged, from its own numbers. */
export function flagReason(row: ContributionLossInsight, insights: Pick<DataInsights, "zThreshold">): string | null {
  if (!row.flagged) return null;
  const sides = [
    row.trainZ !== null && row.trainZ > insights.zThreshold
      ? `training loss ${formatNumber(row.train?.loss ?? NaN, 2)} (z ${row.trainZ.toFixed(1)})`
      : null,
    row.heldOutZ !== null && row.heldOutZ > insights.zThreshold
      ? `held-out loss ${formatNumber(row.heldOut?.loss ?? NaN, 2)} (z ${row.heldOutZ.toFixed(1)})`
      : null,
  ].filter(Boolean);
  return `Trained worst: ${sides.join(" and ")} far above the other contributions: check it for noise, wrong answers or off-topic records.`;
}

export function DataInsightsTable({
  insights,
  datanetId,
}: {
  insights: DataInsights /** Only this Datanet's contributions. */;
  datanetId?: string;
}) {
  const rows = insightOrder(insights.contributions.filter((c) => datanetId === undefined || c.datanetId === datanetId));
  const flagged = rows.filter((r) => r.flagged).length;
  return (
    <>
      <p data-testid="insights-summary">
        {flagged === 0
          ? "No contribution's loss stands far above the rest."
          : `${flagged} of ${rows.length} contribution(s) trained worst: their loss stays far above the rest.`}
      </p>
      <table className="table" data-testid="insights-table">
        <thead>
          <tr>
            <th>Contribution</th>
            <th>Datanet</th>
            <th className="num">Training loss at the end</th>
            <th className="num">Held-out loss</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.contributionId}>
              <td>#{r.contributionId}</td>
              <td>#{r.datanetId}</td>
              <td className="num">
                <Loss side={r.train} z={r.trainZ} />
              </td>
              <td className="num">
                <Loss side={r.heldOut} z={r.heldOutZ} />
              </td>
              <td>
                {r.flagged ? (
                  <span title={flagReason(r, insights) ?? undefined}>
                    <Badge tone="bad">trains worst</Badge>
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows
        .filter((r) => r.flagged)
        .map((r) => (
          <p key={r.contributionId} className="hint">
            #{r.contributionId}: {flagReason(r, insights)}
          </p>
        ))}
      <p className="hint">
        Mean token loss (nats) of the published weights; training loss over at most {insights.maxTrainRecords} records of each contribution.
        Rule: {insights.rule}.
      </p>
    </>
  );
}
