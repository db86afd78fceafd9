// The wizard's evaluation options: early stopping switches on with a patience and a minimum
// improvement the SDK's rules accept, off removes both (the spec then has no early stopping), and a
// bad value is named by the SDK's rule.
import { describe, expect, it } from "vitest";
import { useState } from "react";
import { fireEvent, render, screen } from "@testing-library/react";
import { buildTrainingSpec, HYPERPARAMETER_HELP, parseTrainingSpec, SPEC_PRESETS, type Hyperparameters } from "@modelfactory/sdk";
import { EARLY_STOPPING_DEFAULTS, EvaluationOptions } from "../src/pages/train/EvaluationOptions.tsx";
import { specErrors } from "../src/pages/train/hyperparameters.ts";

const base = { name: "n", baseModel: "tiny", method: "lora" as const, datanetIds: ["1"], evalFraction: 0.1 };

function Harness({ seen }: { seen: Hyperparameters[] }) {
  const [hp, setHp] = useState<Hyperparameters>(SPEC_PRESETS.quick.hyperparameters);
  const errors = specErrors(buildTrainingSpec({ ...base, hyperparameters: hp }));
  return (
    <EvaluationOptions
      hp={hp}
      errors={errors}
      onChange={(next) => {
        seen.push(next);
        setHp(next);
      }}
    />
  );
}

describe("evaluation options", () => {
  it("turns early stopping on with valid defaults, validates it, and off again", () => {
    const seen: Hyperparameters[] = [];
    render(<Harness seen={seen} />);
    expect(screen.getByText(HYPERPARAMETER_HELP["hyperparameters.earlyStoppingPatience"])).toBeTruthy();
    expect(screen.queryByLabelText(/Patience/)).toBeNull();
    fireEvent.click(screen.getByRole("checkbox", { name: /Early stopping/ }));
    expect(seen.at(-1)).toMatchObject(EARLY_STOPPING_DEFAULTS);
    const spec = parseTrainingSpec(buildTrainingSpec({ ...base, hyperparameters: seen.at(-1)! }));
    expect(spec.hyperparameters.earlyStoppingPatience).toBe(3);
    fireEvent.change(screen.getByLabelText(/Patience/), { target: { value: "1.5" } });
    expect(screen.getByText("Must be a whole number from 0 to 1000.")).toBeTruthy();
    fireEvent.click(screen.getByRole("checkbox", { name: /Early stopping/ }));
    expect("earlyStoppingPatience" in seen.at(-1)!).toBe(false);
    expect("earlyStoppingMinDelta" in seen.at(-1)!).toBe(false);
    // Without the optional fields the spec's bytes are those of a spec written before they existed.
    expect(JSON.stringify(parseTrainingSpec(buildTrainingSpec({ ...base, hyperparameters: seen.at(-1)! })).hyperparameters)).toBe(
      JSON.stringify(
        parseTrainingSpec(buildTrainingSpec({ ...base, hyperparameters: SPEC_PRESETS.quick.hyperparameters })).hyperparameters,
      ),
    );
  });

  it("sets how often to evaluate, and an emptied field goes back to about ten per run", () => {
    const seen: Hyperparameters[] = [];
    render(<Harness seen={seen} />);
    const every = screen.getByLabelText(/Evaluate every/);
    fireEvent.change(every, { target: { value: "25" } });
    expect(seen.at(-1)!.evalEvery).toBe(25);
    fireEvent.change(every, { target: { value: "" } });
    expect("evalEvery" in seen.at(-1)!).toBe(false);
    fireEvent.click(screen.getByRole("checkbox", { name: /Gradient checkpointing/ }));
    expect(seen.at(-1)!.gradientCheckpointing).toBe(true);
  });
});
