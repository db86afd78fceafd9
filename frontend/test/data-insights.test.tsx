// Post-training data insights in the GUI: the contributions that trained worst come first with a
// badge and a sentence naming their numbers; an approver's view keeps only their Datanet's
// contributions and says why a model has no insights to show.
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import type { ContributionLossInsight, DataInsights } from "@modelfactory/sdk";
import { DataInsightsTable, flagReason, insightOrder } from "../src/pages/jobs/DataInsights.tsx";
import { TrainingInsightsList } from "../src/pages/datanets/TrainingInsightsPanel.tsx";

const row = (
  id: string,
  datanetId: string,
  train: number | null,
  heldOut: number | null,
  patch: Partial<ContributionLossInsight> = {},
): ContributionLossInsight => ({
  contributionId: id,
  datanetId,
  train: train === null ? null : { records: 20, tokens: 400, loss: train },
  heldOut: heldOut === null ? null : { records: 4, tokens: 80, loss: heldOut },
  trainZ: train === null ? null : 0.2,
  heldOutZ: heldOut === null ? null : -0.3,
  flagged: false,
  ...patch,
});

const insights: DataInsights = {
  rule: "modified z-score over median/MAD",
  zThreshold: 3.5,
  minGapNats: Math.log(2),
  minContributions: 3,
  maxTrainRecords: 64,
  contributions: [
    row("11", "1", 1.1, 1.3),
    row("12", "1", 1.0, 1.2),
    row("14", "1", 4.2, 4.4, { trainZ: 41.3, heldOutZ: 2.1, flagged: true }),
    row("15", "2", 1.18, null),
    row("16", "1", 1.15, 1.25),
  ],
};

describe("data insights table", () => {
  it("lists flagged contributions first, then by their worst loss", () => {
    expect(insightOrder(insights.contributions).map((r) => r.contributionId)).toEqual(["14", "11", "16", "12", "15"]);
  });

  it("names only the side that is far above the rest, with its numbers", () => {
    expect(flagReason(insights.contributions[2]!, insights)).toBe(
      "Trained worst: training loss 4.2 (z 41.3) far above the other contributions: check it for noise, wrong answers or off-topic records.",
    );
    expect(flagReason(insights.contributions[0]!, insights)).toBeNull();
  });

  it("renders losses, record counts and the badge, with the rule stated", () => {
    render(<DataInsightsTable insights={insights} />);
    expect(screen.getByTestId("insights-summary").textContent).toBe(
      "1 of 5 contribution(s) trained worst: their loss stays far above the rest.",
    );
    const rows = within(screen.getByTestId("insights-table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0]!.textContent)).toEqual(["#14", "#11", "#16", "#12", "#15"]);
    const worst = within(rows[0]!)
      .getAllByRole("cell")
      .map((c) => c.textContent);
    expect(worst).toEqual(["#14", "#1", "4.2 · 20 records · z 41.3", "4.4 · 4 records · z 2.1", "trains worst"]);
    // A contribution with no held-out records shows a dash, not a zero.
    expect(within(rows[4]!).getAllByRole("cell")[3]!.textContent).toBe("–");
    expect(screen.getByText(/Rule: modified z-score over median\/MAD/)).toBeTruthy();
    expect(screen.getByText(/at most 64 records of each contribution/)).toBeTruthy();
  });

  it("keeps one Datanet's contributions for its approvers", () => {
    render(<DataInsightsTable insights={insights} datanetId="2" />);
    const rows = within(screen.getByTestId("insights-table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0]!.textContent)).toEqual(["#15"]);
    expect(screen.getByTestId("insights-summary").textContent).toBe("No contribution's loss stands far above the rest.");
  });
});

describe("approvers' training insights", () => {
  it("shows each model's insights with a link to its report, and says why one has none", () => {
    render(
      <TrainingInsightsList
        datanetId="1"
        models={[
          { modelId: "3", jobId: "5", insights },
          { modelId: "2", jobId: "4", insights: null },
          { modelId: "1", jobId: "2", insights: null, error: "The content store has no ipfs://bafy…" },
        ]}
      />,
    );
    const first = screen.getByTestId("insights-model-3");
    expect(within(first).getByRole("link", { name: "job #5 report" }).getAttribute("href")).toBe("/jobs/5/report");
    expect(within(first).getAllByRole("row")).toHaveLength(5); // header + the four of Datanet 1
    expect(within(screen.getByTestId("insights-model-2")).getByText("Its report predates per-contribution data insights.")).toBeTruthy();
    expect(within(screen.getByTestId("insights-model-1")).getByText(/could not be read: The content store has no/)).toBeTruthy();
  });

  it("says so when no model was trained on the Datanet", () => {
    render(<TrainingInsightsList datanetId="1" models={[]} />);
    expect(screen.getByText("No model has been trained on this Datanet yet.")).toBeTruthy();
  });
});
