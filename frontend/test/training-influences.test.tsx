// The chat's "Shaped by training on" section: each training influence with its contributor (linked
// to the explorer's contributor page), Datanet, contribution and reason in words; the node's note
// when none was measured; and dataset-derived metadata rendered as text, never as markup.
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import { describeTrainingInfluence, type ChatAttribution, type TrainingInfluence } from "@modelfactory/sdk";
import { TrainingInfluences } from "../src/pages/chat/TrainingInfluences.tsx";

const influence = (
  contributionId: string,
  rank: number,
  score: number,
  weight: number,
  metadataURI = "ipfs://meta",
): TrainingInfluence => ({
  contributionId,
  datanetId: "2",
  contributor: "0x00000000000000000000000000000000000000C1",
  timestamp: 1_700_000_000,
  transactionHash: `0x${"cd".repeat(32)}`,
  contentId: "bafy",
  metadataURI,
  rank,
  score,
  weight,
  reason: describeTrainingInfluence(score),
});

describe("shaped by training on", () => {
  it("lists each influence with contributor link, Datanet, contribution and reason", () => {
    const attribution: ChatAttribution = {
      receiptId: null,
      modelId: "1",
      citations: [],
      trainingInfluences: [influence("7", 1, 0.81, 6_600), influence("9", 2, 0.42, 3_400, "<img src=x onerror=alert(1)>")],
    };
    render(<TrainingInfluences attribution={attribution} />);
    expect(screen.getByRole("heading", { name: "Shaped by training on (2)" })).toBeTruthy();
    const cards = screen.getAllByTestId("training-influence");
    expect(cards.map((c) => c.getAttribute("data-contribution"))).toEqual(["7", "9"]);
    const first = within(cards[0]!);
    expect(first.getByText("Training on this contribution moved the model strongly toward this answer")).toBeTruthy();
    expect(first.getByText("66.0%")).toBeTruthy();
    expect(first.getByText("Datanet #2").getAttribute("href")).toMatch(/\/datanets\/2$/);
    expect(first.getByText("0x00000000000000000000000000000000000000C1").getAttribute("href")).toMatch(
      /\/explore\/contributor\/0x00000000000000000000000000000000000000c1$/,
    );
    expect(within(cards[1]!).getByText("Training on this contribution moved the model toward this answer")).toBeTruthy();
    // Metadata is data: shown as its characters, no element made of it.
    expect(within(cards[1]!).getByText("<img src=x onerror=alert(1)>")).toBeTruthy();
    expect(cards[1]!.querySelector("img")).toBeNull();
  });

  it("says why there are none", () => {
    const note = "You hold retrieve access to none of this model's Datanets now, so no training contribution is listed.";
    render(
      <TrainingInfluences
        attribution={{ receiptId: "0x01", modelId: "1", citations: [], trainingInfluences: [], trainingInfluenceNote: note }}
      />,
    );
    expect(screen.getByRole("heading", { name: "Shaped by training on (0)" })).toBeTruthy();
    expect(screen.getByTestId("training-influence-note").textContent).toBe(note);
    expect(screen.queryAllByTestId("training-influence")).toEqual([]);
  });
});
