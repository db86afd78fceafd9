// Wizard step 3: LoRA or QLoRA, as far as the chosen node offers them for the chosen model.
import type { BaseModelInfo, FineTuneMethod } from "@modelfactory/sdk";

const METHOD_HELP: Record<FineTuneMethod, string> = {
  lora: "Trains small low-rank adapters on a frozen base model in 16/32-bit. Fast and faithful.",
  qlora: "Same adapters over a base model quantised to 4-bit NF4: about a quarter of the weight memory, slightly slower.",
};

export function MethodStep({
  model,
  method,
  onChange,
}: {
  model: BaseModelInfo | undefined;
  method: FineTuneMethod;
  onChange: (m: FineTuneMethod) => void;
}) {
  return (
    <fieldset>
      <legend className="sr-only">Method</legend>
      {(["lora", "qlora"] as const).map((m) => {
        const ok = model?.methods.includes(m) ?? false;
        return (
          <label key={m} className={`option${ok ? "" : " disabled"}`}>
            <input type="radio" name="method" disabled={!ok} checked={method === m} onChange={() => onChange(m)} />
            <div>
              <strong>{m === "lora" ? "LoRA" : "QLoRA"}</strong>
              <div className="hint">
                {METHOD_HELP[m]}
                {ok ? "" : " Not offered by this node for this model."}
              </div>
            </div>
          </label>
        );
      })}
    </fieldset>
  );
}
