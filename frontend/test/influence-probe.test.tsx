// The report's training-influence probe in the GUI: one sentence with the result, how the
// questions were chosen, and each question's contribution with the rank training influence gave it.
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import type { TrainingInfluenceProbe } from "@modelfactory/sdk";
import { InfluenceProbe, probeSummary } from "../src/pages/jobs/InfluenceProbe.tsx";

const probe: TrainingInfluenceProbe = {
  method: "Up to 8 held-out questions, one per contribution in turn.",
  questions: 3,
  recallAt1: 0.6667,
  recallAt3: 1,
  secondsPerAnswer: 1.94,
  cases: [
    { contributionId: "4", rank: 1, score: 0.912 },
    { contributionId: "7", rank: 2, score: 0.31 },
    { contributionId: "9", rank: 1, score: 0.88 },
  ],
};
const weak: TrainingInfluenceProbe = { ...probe, cases: [{ contributionId: "4", rank: 1, score: 0.12 }, probe.cases[1]!, probe.cases[2]!] };

describe("training-influence probe", () => {
  it("says how many held-out questions traced to their own contribution first", () => {
    expect(probeSummary(probe)).toBe(
      "2 of 3 held-out question(s) were traced to their own contribution first by training influence (recall@1 0.67), 3 within the top 3, at 1.9 s per answer; 2 of those first places score at least the 0.30 from which Chat lists an influence.",
    );
  });
  it("counts only the first places Chat would list", () => {
    expect(probeSummary(weak)).toMatch(/; 1 of those first places score at least the 0\.30 /);
  });
  it("lists each question's contribution, its rank and score, and the method", () => {
    render(<InfluenceProbe probe={{ ...probe, cases: [...probe.cases.slice(0, 2), { contributionId: "9", rank: null, score: null }] }} />);
    expect(screen.getByText(probe.method)).toBeTruthy();
    const rows = within(screen.getByTestId("probe-table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(["#410.91", "#720.31", "#9not ranked–"]);
    expect(screen.getByTestId("probe-summary").textContent).toMatch(/^1 of 3 held-out question\(s\) .* 2 within the top 3/);
  });
});
