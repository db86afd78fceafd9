// The wizard's "train with sources" option: off by default (the spec has no retrievalAugmented),
// on with RAFT's recommended setting that the SDK's rules accept, a bad value named by the SDK's
// rule, a hint when the max length is too short for the passages, and off again.
import { describe, expect, it } from "vitest";
import { useState } from "react";
import { fireEvent, render, screen } from "@testing-library/react";
import { buildTrainingSpec, parseTrainingSpec, RETRIEVAL_AUGMENTED_DEFAULT, SPEC_PRESETS } from "@modelfactory/sdk";
import { SourcesOption, type RetrievalAugmented } from "../src/pages/train/SourcesOption.tsx";
import { specErrors } from "../src/pages/train/hyperparameters.ts";

const base = { name: "n", baseModel: "tiny", method: "lora" as const, datanetIds: ["1"], evalFraction: 0.1 };
const hyperparameters = SPEC_PRESETS.quick.hyperparameters;
const specOf = (r: RetrievalAugmented | undefined) =>
  buildTrainingSpec({ ...base, hyperparameters, ...(r ? { retrievalAugmented: r } : {}) });

function Harness({ seen, maxLength }: { seen: (RetrievalAugmented | undefined)[]; maxLength: number }) {
  const [value, setValue] = useState<RetrievalAugmented | undefined>(undefined);
  return (
    <SourcesOption
      value={value}
      maxLength={maxLength}
      errors={specErrors(specOf(value))}
      onChange={(v) => {
        seen.push(v);
        setValue(v);
      }}
    />
  );
}

describe("train with sources", () => {
  it("switches RAFT on with the recommended setting, validates it, and off again", () => {
    const seen: (RetrievalAugmented | undefined)[] = [];
    render(<Harness seen={seen} maxLength={1024} />);
    expect(screen.queryByLabelText(/Passages per prompt/)).toBeNull();
    fireEvent.click(screen.getByRole("checkbox", { name: /Train with sources/ }));
    expect(seen.at(-1)).toEqual(RETRIEVAL_AUGMENTED_DEFAULT);
    expect(parseTrainingSpec(specOf(seen.at(-1))).retrievalAugmented).toEqual({ passages: 4, oracleShare: 0.8 });
    expect(screen.queryByTestId("raft-length-hint")).toBeNull();
    fireEvent.change(screen.getByLabelText(/Passages per prompt/), { target: { value: "9" } });
    expect(screen.getByText("Must be a whole number from 1 to 8.")).toBeTruthy();
    fireEvent.click(screen.getByRole("checkbox", { name: /Train with sources/ }));
    expect(seen.at(-1)).toBeUndefined();
    // Off, the spec's bytes are those of a spec written before the option existed.
    expect(JSON.stringify(parseTrainingSpec(specOf(undefined)))).toBe(
      JSON.stringify(parseTrainingSpec(buildTrainingSpec({ ...base, hyperparameters }))),
    );
  });

  it("says when the max length is too short for the passages", () => {
    render(<Harness seen={[]} maxLength={256} />);
    fireEvent.click(screen.getByRole("checkbox", { name: /Train with sources/ }));
    expect(screen.getByTestId("raft-length-hint").textContent).toContain("4 passages need a max length of about 768 tokens; it is 256");
  });
});
