import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import { parseDataset } from "@sdk/dataset/parse.ts";
import { DatasetProblems, problemLocation } from "../src/pages/contribute/DatasetProblems.tsx";
import { RecordPreview } from "../src/pages/contribute/RecordPreview.tsx";

// jsdom's TextEncoder returns another realm's Uint8Array; copy into this realm's.
const enc = (s: string) => Uint8Array.from(new TextEncoder().encode(s));

describe("validation display", () => {
  it("lists every problem the SDK finds with its line, field and hint", () => {
    const result = parseDataset({ bytes: enc('{"instruction":"a","output":"b"}\n{"instruction":"x"}\n{oops\n'), fileName: "d.jsonl" });
    expect(result.ok).toBe(false);
    render(<DatasetProblems problems={result.problems} total={result.problemCount} />);
    const items = screen.getAllByRole("listitem");
    expect(items).toHaveLength(result.problems.length);
    expect(within(items[0]!).getByText("Line 2, field output")).toBeTruthy();
    expect(within(items[1]!).getByText("Line 3")).toBeTruthy();
    for (const [i, p] of result.problems.entries()) expect(within(items[i]!).getByText(p.hint)).toBeTruthy();
    expect(screen.getByRole("heading").textContent).toMatch(/2 problems — nothing was uploaded/);
  });

  it("says how many more problems there are beyond the shown ones", () => {
    render(<DatasetProblems problems={[{ code: "FILE_EMPTY", message: "Empty.", hint: "Choose a file." }]} total={120} />);
    expect(screen.getByText(/and 119 more/)).toBeTruthy();
    expect(problemLocation({ code: "FILE_EMPTY", message: "", hint: "" })).toBe("Whole file");
    expect(problemLocation({ code: "CSV_FIELD_COUNT", message: "", hint: "", line: 4, row: 3 })).toBe("Line 4, row 3");
  });

  it("previews the first records as text, never as HTML", () => {
    const lines = [
      { instruction: "<img src=x onerror=alert(1)> what?", output: "<b>bold</b> answer" },
      {
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "hello" },
        ],
      },
      ...Array.from({ length: 8 }, (_, i) => ({ instruction: `q${i}`, output: `a${i}` })),
    ];
    const result = parseDataset({ bytes: enc(lines.map((l) => JSON.stringify(l)).join("\n") + "\n"), fileName: "d.jsonl" });
    expect(result.ok).toBe(true);
    const { container } = render(<RecordPreview records={result.records} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(screen.getByText("<img src=x onerror=alert(1)> what?")).toBeTruthy();
    expect(screen.getByText("<b>bold</b> answer")).toBeTruthy();
    expect(screen.getAllByRole("article")).toHaveLength(5);
    expect(screen.getByText("hello")).toBeTruthy();
    expect(screen.getByRole("heading").textContent).toBe("Preview of the first 5 of 10 records");
  });
});
