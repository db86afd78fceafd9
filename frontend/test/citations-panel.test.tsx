// The chat's sources panel: each citation's measured effect in words ("without this passage the
// answer becomes 4.1× less likely"), the passages retrieved but not used marked so and shown after
// the used ones, and the receipt check fed only the citations the receipt commits to.
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import type { ChatAttribution, Citation, CitationEffect } from "@modelfactory/sdk";
import { exampleCitation } from "../../sdk/test/fixtures/receipts.ts";
import { CitationsPanel, postedCitations } from "../src/pages/chat/CitationsPanel.tsx";

const effect = (logProbDrop: number, used: boolean): CitationEffect => ({
  logProbDrop,
  ratio: Math.exp(logProbDrop),
  surrogateWeight: logProbDrop,
  method: "leave-one-out",
  used,
});
const measured = (id: string, weight: number, rank: number, drop: number, used: boolean): Citation => ({
  ...exampleCitation(id, weight, rank),
  effect: effect(drop, used),
});

describe("sources panel", () => {
  const citations = [measured("5", 0, 1, 0.3, false), measured("6", 10_000, 2, Math.log(4.1), true)];
  const attribution: ChatAttribution = { receiptId: null, modelId: "1", citations, trainingInfluences: [] };

  it("says what each passage did to the answer, the used ones first", () => {
    render(
      <CitationsPanel
        attribution={attribution}
        node="http://127.0.0.1:8787"
        question="q"
        answer="a"
        active={null}
        setActive={() => undefined}
      />,
    );
    expect(screen.getByRole("heading", { name: "Sources (1 used of 2 retrieved)" })).toBeTruthy();
    const cards = screen.getAllByRole("article");
    expect(cards.map((c) => c.getAttribute("aria-label"))).toEqual(["Citation 2", "Citation 1"]);
    expect(within(cards[0]!).getByTestId("citation-effect").textContent).toMatch(
      /^Without this passage the answer becomes 4\.1× less likely \(measured by leaving the passage out; log-likelihood −1\.41 nats\)$/,
    );
    expect(within(cards[0]!).getByText("100.0%")).toBeTruthy();
    expect(within(cards[1]!).getByText("retrieved, not used")).toBeTruthy();
    expect(within(cards[1]!).getByTestId("citation-effect").textContent).toMatch(
      /^Retrieved, not used — without this passage the answer becomes 1\.3× less likely, too little to count/,
    );
  });

  it("checks the receipt against the citations it commits to: the used ones, or all from a node that measures nothing", () => {
    expect(postedCitations(citations).map((c) => c.contributionId)).toEqual(["6"]);
    const lexical = [exampleCitation("5", 0, 1), exampleCitation("6", 10_000, 2)];
    expect(postedCitations(lexical)).toEqual(lexical);
  });
});
