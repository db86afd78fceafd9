// The wizard's retrieval-augmented fine-tuning option (spec `retrievalAugmented`, trainer-node
// raft.ts): train with retrieved passages in each prompt, as chat serves them. Off by default;
// switched on it offers RAFT's recommended setting and warns when the max length is too short for
// the passages.
import { RETRIEVAL_AUGMENTED_DEFAULT, RETRIEVAL_AUGMENTED_HELP, RETRIEVAL_AUGMENTED_LIMITS, type TrainingSpec } from "@modelfactory/sdk";
import { Field } from "../../ui/bits.tsx";

export type RetrievalAugmented = NonNullable<TrainingSpec["retrievalAugmented"]>;

/** Tokens a prompt with this many passages needs, measured on the demo Datanets (4 passages: 768). */
export const TOKENS_PER_PASSAGE = 160;

type Props = {
  value: RetrievalAugmented | undefined;
  onChange: (v: RetrievalAugmented | undefined) => void;
  maxLength: number;
  errors: Partial<Record<string, string>>;
};

export function SourcesOption({ value, onChange, maxLength, errors }: Props) {
  const number = (key: keyof RetrievalAugmented, label: string) => {
    const rule = RETRIEVAL_AUGMENTED_LIMITS[key];
    return (
      <Field id={`raft-${key}`} label={label} hint={RETRIEVAL_AUGMENTED_HELP[key]} error={errors[`retrievalAugmented.${key}`]}>
        <input
          id={`raft-${key}`}
          type="number"
          min={rule.min}
          max={rule.max}
          step={key === "passages" ? 1 : 0.05}
          value={value && Number.isFinite(value[key]) ? value[key] : ""}
          onChange={(e) => value && onChange({ ...value, [key]: e.target.valueAsNumber })}
        />
      </Field>
    );
  };
  const needed = value ? 128 + value.passages * TOKENS_PER_PASSAGE : 0;
  return (
    <fieldset className="field" aria-label="Train with sources">
      <legend>Sources in training</legend>
      <label className="option">
        <input
          type="checkbox"
          checked={value !== undefined}
          onChange={(e) => onChange(e.target.checked ? { ...RETRIEVAL_AUGMENTED_DEFAULT } : undefined)}
        />
        <div>
          <strong>Train with sources (retrieval-augmented fine-tuning)</strong>
          <div className="hint">{RETRIEVAL_AUGMENTED_HELP.retrievalAugmented}</div>
        </div>
      </label>
      {value ? (
        <>
          <div className="cols-2">
            {number("passages", "Passages per prompt")}
            {number("oracleShare", "Share with its own passage")}
          </div>
          {Number.isFinite(value.passages) && maxLength < needed ? (
            <p className="hint" role="note" data-testid="raft-length-hint">
              {value.passages} passages need a max length of about {needed} tokens; it is {maxLength}, so long prompts will be cut.
            </p>
          ) : null}
        </>
      ) : null}
    </fieldset>
  );
}
