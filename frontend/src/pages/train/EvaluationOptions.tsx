// The wizard's evaluation-during-training options: how often the held-out split is evaluated,
// early stopping (patience and minimum improvement; the best evaluation is what gets published),
// and gradient checkpointing, the memory saver pre-flight may suggest. Each with the SDK's help line.
import { HYPERPARAMETER_HELP, type Hyperparameters } from "@modelfactory/sdk";
import { Field } from "../../ui/bits.tsx";

/** Patience and minimum improvement offered when early stopping is switched on. */
export const EARLY_STOPPING_DEFAULTS = { earlyStoppingPatience: 3, earlyStoppingMinDelta: 0.01 } as const;

type Props = { hp: Hyperparameters; onChange: (hp: Hyperparameters) => void; errors: Partial<Record<string, string>> };

export function EvaluationOptions({ hp, onChange, errors }: Props) {
  const on = (hp.earlyStoppingPatience ?? 0) > 0;
  const number = (key: "evalEvery" | "earlyStoppingPatience" | "earlyStoppingMinDelta", id: string, label: string, step?: number) => (
    <Field id={id} label={label} hint={HYPERPARAMETER_HELP[`hyperparameters.${key}`]} error={errors[`hyperparameters.${key}`]}>
      <input
        id={id}
        type="number"
        min={0}
        step={step ?? "any"}
        placeholder={key === "evalEvery" ? "about ten times per run" : undefined}
        value={Number.isFinite(hp[key]) ? hp[key] : ""}
        onChange={(e) => {
          // An emptied "evaluate every" goes back to the default; other fields show their error.
          const v = e.target.valueAsNumber;
          if (key === "evalEvery" && !Number.isFinite(v)) {
            const { evalEvery: _e, ...rest } = hp;
            return onChange(rest);
          }
          onChange({ ...hp, [key]: v });
        }}
      />
    </Field>
  );
  const toggle = (checked: boolean) => {
    if (checked) return onChange({ ...hp, ...EARLY_STOPPING_DEFAULTS });
    const { earlyStoppingPatience: _p, earlyStoppingMinDelta: _d, ...rest } = hp;
    onChange(rest);
  };
  return (
    <fieldset className="field" aria-label="Evaluation during training">
      <legend>Evaluation during training</legend>
      <div className="cols-2">
        {number("evalEvery", "hp-evalEvery", "Evaluate every (steps)", 1)}
        <label className="option">
          <input
            type="checkbox"
            checked={hp.gradientCheckpointing ?? false}
            onChange={(e) => onChange({ ...hp, gradientCheckpointing: e.target.checked })}
          />
          <div>
            <strong>Gradient checkpointing</strong>
            <div className="hint">{HYPERPARAMETER_HELP["hyperparameters.gradientCheckpointing"]}</div>
          </div>
        </label>
      </div>
      <label className="option">
        <input type="checkbox" checked={on} onChange={(e) => toggle(e.target.checked)} />
        <div>
          <strong>Early stopping</strong>
          <div className="hint">{HYPERPARAMETER_HELP["hyperparameters.earlyStoppingPatience"]}</div>
        </div>
      </label>
      {on ? (
        <div className="cols-2">
          {number("earlyStoppingPatience", "hp-earlyStoppingPatience", "Patience (evaluations)", 1)}
          {number("earlyStoppingMinDelta", "hp-earlyStoppingMinDelta", "Minimum improvement (eval loss)")}
        </div>
      ) : null}
    </fieldset>
  );
}
