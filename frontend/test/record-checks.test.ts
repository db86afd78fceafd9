import { describe, expect, it } from "vitest";
import { RECORD_SCHEMA, type DatasetRecord } from "@modelfactory/sdk";
import { checkRecords, recordFingerprint } from "../src/pages/access/record-checks.ts";
import {
  addAccepted,
  byteCapNote,
  contributionCapNote,
  describeAccepted,
  emptyFingerprints,
  MAX_ACCEPTED_CONTRIBUTIONS,
} from "../src/pages/access/accepted-fingerprints.ts";

const qa = (instruction: string, output: string): DatasetRecord => ({
  schema: RECORD_SCHEMA,
  kind: "instruction",
  instruction,
  input: "",
  output,
});

describe("approver record checks", () => {
  it("flags duplicates (case and spacing aside), records already in the Datanet, and empty or very short answers", () => {
    const records = [
      qa("When do tomatoes go in?", "After the last frost, 60 cm apart."),
      qa("when do  tomatoes go in?", "after the last frost, 60 cm apart."),
      qa("Water?", ""),
      qa("Mulch?", "Yes."),
      {
        schema: RECORD_SCHEMA,
        kind: "chat",
        messages: [
          { role: "user", content: "Compost?" },
          { role: "assistant", content: "Turn it every two weeks." },
        ],
      } as DatasetRecord,
    ];
    const accepted = emptyFingerprints();
    addAccepted(accepted, [qa("MULCH?  ", "yes."), qa("Seeds?", "Sow them shallow, in spring.")]);
    expect(checkRecords(records, accepted.fingerprints)).toEqual([
      [],
      ["duplicate"],
      ["empty-answer"],
      ["duplicate-in-datanet", "short-answer"],
      [],
    ]);
    // Without the Datanet's records nothing is flagged as already in it.
    expect(checkRecords(records).flat()).not.toContain("duplicate-in-datanet");
  });

  it("keeps only fingerprints of accepted records, 32-byte hashes that differ when the text does", () => {
    const accepted = emptyFingerprints();
    addAccepted(accepted, [qa("Where is the shed key?", "Under the blue pot by the gate.")]);
    const [only] = [...accepted.fingerprints];
    expect(only).toMatch(/^0x[0-9a-f]{64}$/);
    expect(only).not.toContain("shed");
    expect(recordFingerprint(qa("Where is the shed key?", "Under the red pot by the gate."))).not.toBe(only);
    // The instruction, input and output are separate fields: moving text between them is another record.
    expect(recordFingerprint({ schema: RECORD_SCHEMA, kind: "instruction", instruction: "a b", input: "", output: "c" })).not.toBe(
      recordFingerprint({ schema: RECORD_SCHEMA, kind: "instruction", instruction: "a", input: "b", output: "c" }),
    );
  });

  it("says what the duplicate check compared against, and what a cap left out", () => {
    const a = emptyFingerprints();
    expect(describeAccepted(a)).toBe("The Datanet has no accepted contributions to compare against.");
    addAccepted(a, [qa("x", "y"), qa("z", "w")]);
    expect(describeAccepted(a)).toBe("Compared against 2 records of 1 accepted contribution.");
    expect(contributionCapNote(MAX_ACCEPTED_CONTRIBUTIONS)).toBeNull();
    a.limit = contributionCapNote(MAX_ACCEPTED_CONTRIBUTIONS + 1);
    expect(describeAccepted(a)).toMatch(/; only the newest 200 accepted contributions are compared/);
    expect(byteCapNote(70 * 1024 * 1024, 3)).toBe(
      "stopped after 70.0 MiB of accepted content (the cap is 64 MiB); 3 older accepted contributions were not compared.",
    );
  });
});
