// Wizard step 4: presets and every hyperparameter, each with its one-line help and its error.
import {
  ALL_LINEAR,
  EVAL_SPLITS,
  HYPERPARAMETER_HELP,
  LORA_TARGET_MODULES,
  LR_SCHEDULERS,
  SPEC_PRESETS,
  type EvalSplit,
  type Hyperparameters,
  type SpecField,
} from "@modelfactory/sdk";
import { Field } from "../../ui/bits.tsx";
import { EvaluationOptions } from "./EvaluationOptions.tsx";
import { SourcesOption, type RetrievalAugmented } from "./SourcesOption.tsx";

type Errors = Partial<Record<string, string>>;

/** A numeric field of the spec; its id, help and error come from the field's path. */
function NumberField({
  field,
  label,
  value,
  onChange,
  step,
  errors,
}: {
  field: SpecField;
  label: string;
  value: number;
  onChange: (v: number) => void;
  step?: number;
  errors: Errors;
}) {
  const id = `hp-${field.split(".").at(-1)}`;
  return (
    <Field id={id} label={label} hint={HYPERPARAMETER_HELP[field]} error={errors[field]}>
      <input
        id={id}
        type="number"
        step={step ?? "any"}
        value={Number.isFinite(value) ? value : ""}
        onChange={(e) => onChange(e.target.valueAsNumber)}
      />
    </Field>
  );
}

/** Toggles one LoRA target; "all-linear" stands alone. */
export function toggleTarget(targets: string[], target: string, on: boolean): string[] {
  if (target === ALL_LINEAR) return on ? [ALL_LINEAR] : [];
  const rest = targets.filter((t) => t !== ALL_LINEAR && t !== target);
  return on ? [...rest, target] : rest;
}

export type HyperparametersStepProps = {
  hp: Hyperparameters;
  onHp: (hp: Hyperparameters) => void;
  evalFraction: number;
  onEvalFraction: (v: number) => void;
  evalSplit: EvalSplit;
  onEvalSplit: (v: EvalSplit) => void;
  retrievalAugmented: RetrievalAugmented | undefined;
  onRetrievalAugmented: (v: RetrievalAugmented | undefined) => void;
  errors: Errors;
};

export function HyperparametersStep({
  hp,
  onHp: setHp,
  evalFraction,
  onEvalFraction,
  evalSplit,
  onEvalSplit,
  retrievalAugmented,
  onRetrievalAugmented,
  errors,
}: HyperparametersStepProps) {
  return (
    <>
      <div className="row" role="group" aria-label="Presets">
        {Object.entries(SPEC_PRESETS).map(([k, p]) => (
          <button key={k} className="btn" onClick={() => setHp(p.hyperparameters)} title={p.description}>
            {p.label}
          </button>
        ))}
        <span className="hint">Presets fill every field; adjust any of them.</span>
      </div>
      <div className="cols-2" style={{ marginTop: "1rem" }}>
        <NumberField
          field="hyperparameters.learningRate"
          label="Learning rate"
          value={hp.learningRate}
          onChange={(v) => setHp({ ...hp, learningRate: v })}
          errors={errors}
        />
        <NumberField
          field="hyperparameters.batchSize"
          label="Batch size"
          value={hp.batchSize}
          step={1}
          onChange={(v) => setHp({ ...hp, batchSize: v })}
          errors={errors}
        />
        <NumberField
          field="hyperparameters.gradientAccumulation"
          label="Gradient accumulation"
          value={hp.gradientAccumulation}
          step={1}
          onChange={(v) => setHp({ ...hp, gradientAccumulation: v })}
          errors={errors}
        />
        <NumberField
          field="hyperparameters.epochs"
          label="Epochs"
          value={hp.epochs}
          step={1}
          onChange={(v) => setHp({ ...hp, epochs: v })}
          errors={errors}
        />
        <NumberField
          field="hyperparameters.maxLength"
          label="Max length (tokens)"
          value={hp.maxLength}
          step={1}
          onChange={(v) => setHp({ ...hp, maxLength: v })}
          errors={errors}
        />
        <NumberField
          field="hyperparameters.warmupRatio"
          label="Warm-up ratio"
          value={hp.warmupRatio}
          onChange={(v) => setHp({ ...hp, warmupRatio: v })}
          errors={errors}
        />
        <Field id="hp-scheduler" label="Scheduler" hint={HYPERPARAMETER_HELP["hyperparameters.scheduler"]}>
          <select
            id="hp-scheduler"
            value={hp.scheduler}
            onChange={(e) => setHp({ ...hp, scheduler: e.target.value as Hyperparameters["scheduler"] })}
          >
            {LR_SCHEDULERS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <NumberField
          field="hyperparameters.weightDecay"
          label="Weight decay"
          value={hp.weightDecay}
          onChange={(v) => setHp({ ...hp, weightDecay: v })}
          errors={errors}
        />
        <NumberField
          field="hyperparameters.lora.rank"
          label="LoRA rank (r)"
          value={hp.lora.rank}
          step={1}
          onChange={(v) => setHp({ ...hp, lora: { ...hp.lora, rank: v } })}
          errors={errors}
        />
        <NumberField
          field="hyperparameters.lora.alpha"
          label="LoRA alpha (α)"
          value={hp.lora.alpha}
          onChange={(v) => setHp({ ...hp, lora: { ...hp.lora, alpha: v } })}
          errors={errors}
        />
        <NumberField
          field="hyperparameters.lora.dropout"
          label="LoRA dropout"
          value={hp.lora.dropout}
          onChange={(v) => setHp({ ...hp, lora: { ...hp.lora, dropout: v } })}
          errors={errors}
        />
        <NumberField field="evalFraction" label="Held-out fraction" value={evalFraction} onChange={onEvalFraction} errors={errors} />
        <label className="field">
          <span>Held out</span>
          <select value={evalSplit} onChange={(e) => onEvalSplit(e.target.value as EvalSplit)}>
            <option value="contribution">whole contributions</option>
            <option value="record">records of every contribution</option>
          </select>
          <span className="hint">{EVAL_SPLITS[evalSplit]}</span>
        </label>
        <NumberField
          field="hyperparameters.seed"
          label="Seed"
          value={hp.seed}
          step={1}
          onChange={(v) => setHp({ ...hp, seed: v })}
          errors={errors}
        />
      </div>
      <fieldset className="field">
        <legend>LoRA targets</legend>
        <div className="hint">{HYPERPARAMETER_HELP["hyperparameters.lora.targets"]}</div>
        <div className="checks">
          {[ALL_LINEAR, ...LORA_TARGET_MODULES].map((t) => (
            <label key={t}>
              <input
                type="checkbox"
                checked={hp.lora.targets.includes(t)}
                onChange={(e) => setHp({ ...hp, lora: { ...hp.lora, targets: toggleTarget(hp.lora.targets, t, e.target.checked) } })}
              />
              <span className="mono">{t}</span>
            </label>
          ))}
        </div>
        {errors["hyperparameters.lora.targets"] ? <div className="field-error">{errors["hyperparameters.lora.targets"]}</div> : null}
      </fieldset>
      <EvaluationOptions hp={hp} onChange={setHp} errors={errors} />
      <SourcesOption value={retrievalAugmented} onChange={onRetrievalAugmented} maxLength={hp.maxLength} errors={errors} />
    </>
  );
}
