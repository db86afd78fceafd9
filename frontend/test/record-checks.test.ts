import { describe, expect, it } from "vitest";
import { RECORD_SCHEMA, type DatasetRecord } from "@modelfactory/sdk";
import { checkRecords } from "../src/pages/access/record-checks.ts";

const qa = (instruction: string, output: string): DatasetRecord => ({ schema: RECORD_SCHEMA, kind: "instruction", instruction, input: "", output });

describe("approver record checks", () => {
  it("flags duplicates (case and spacing aside), records already in the Datanet, and empty or very short answers", () => {
    const records = [
      qa("When do tomatoes go in?", "After the last frost, 60 cm apart."),
      qa("when do  tomatoes go in?", "after the last frost, 60 cm apart."),
      qa("Water?", ""),
      qa("Mulch?", "Yes."),
      { schema: RECORD_SCHEMA, kind: "chat", messages: [{ role: "user", content: "Compost?" }, { role: "assistant", content: "Turn it every two weeks." }] } as DatasetRecord,
    ];
    expect(checkRecords(records, [qa("Mulch?", "Yes.")])).toEqual([[], ["duplicate"], ["empty-answer"], ["duplicate-in-datanet", "short-answer"], []]);
  });
});
