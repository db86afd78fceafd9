// Wizard step 5: the job's name, the node's pre-flight estimate (memory, tokens, time, data
// problems per contribution), the spec as it will be stored, and the submit button.
import { BUILDER_ENCRYPTION_KEY_HELP, type FineTuneMethod, type PreflightReport, type TrainingSpec } from "@modelfactory/sdk";
import { Badge, Field } from "../../ui/bits.tsx";
import { formatBytes, formatDuration, formatNumber } from "../../ui/format.ts";
import { ErrorState, Loading } from "../../ui/states.tsx";

export type PreflightStepProps = {
  spec: TrainingSpec;
  name: string;
  onName: (name: string) => void;
  method: FineTuneMethod;
  preflight: PreflightReport | null;
  error: unknown;
  onRetry: () => void;
  /** Whether a chosen Datanet is permissioned (the builder's key then goes into the spec). */
  permissioned: boolean;
  busy: boolean;
  onSubmit: () => void;
};

function Report({ preflight, method }: { preflight: PreflightReport; method: FineTuneMethod }) {
  return (
    <>
      <div className="stats">
        <div className="stat">
          <b>{formatBytes(preflight.memory[method])}</b>
          <span>estimated memory ({method === "lora" ? "LoRA" : "QLoRA"})</span>
        </div>
        <div className="stat">
          <b>{formatBytes(preflight.memory.full)}</b>
          <span>full fine-tune would need</span>
        </div>
        {preflight.memoryFit ? (
          <div className="stat" data-testid="memory-fit">
            <b>
              {formatBytes(preflight.memoryFit.estimatedPeakBytes)} / {formatBytes(preflight.memoryFit.availableBytes)}
            </b>
            <span>estimated peak / this node has{preflight.memoryFit.fits ? "" : " — does not fit"}</span>
          </div>
        ) : null}
        <div className="stat">
          <b>{formatNumber(preflight.tokens)}</b>
          <span>tokens</span>
        </div>
        <div className="stat">
          <b>{preflight.records}</b>
          <span>records in {preflight.contributions} contributions</span>
        </div>
        <div className="stat">
          <b>{preflight.estimatedSteps}</b>
          <span>steps</span>
        </div>
        <div className="stat">
          <b>{formatDuration(preflight.estimatedSeconds)}</b>
          <span>estimated time</span>
        </div>
      </div>
      {preflight.perContribution?.length ? (
        <table className="table" data-testid="preflight-contributions">
          <caption className="hint">
            Per contribution (tokens estimated; truncated, dropped and duplicates need the text, so an encrypted one shows —)
          </caption>
          <thead>
            <tr>
              <th>Contribution</th>
              <th className="num">Records</th>
              <th className="num">Tokens</th>
              <th className="num">Truncated</th>
              <th className="num">Dropped</th>
              <th className="num">In another contribution</th>
            </tr>
          </thead>
          <tbody>
            {preflight.perContribution.map((c) => (
              <tr key={c.contributionId}>
                <td>
                  #{c.contributionId} (Datanet #{c.datanetId}){c.sealed ? " · encrypted" : ""}
                  {c.error ? <div className="field-error">{c.error}</div> : null}
                </td>
                <td className="num">{c.records}</td>
                <td className="num">{formatNumber(c.tokens)}</td>
                <td className="num">{c.truncated ?? "—"}</td>
                <td className={`num${c.dropped ? " field-error" : ""}`}>{c.dropped ?? "—"}</td>
                <td className="num">{c.duplicates ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {preflight.problems.length ? (
        <ul className="problems">
          {preflight.problems.map((p, i) => (
            <li key={i}>
              <Badge tone={p.severity === "error" ? "bad" : p.severity === "warning" ? "warn" : "info"}>{p.severity}</Badge> {p.message}
            </li>
          ))}
        </ul>
      ) : (
        <p className="verify-ok">No data problems found.</p>
      )}
    </>
  );
}

export function PreflightStep({ spec, name, onName, method, preflight, error, onRetry, permissioned, busy, onSubmit }: PreflightStepProps) {
  return (
    <div data-testid="preflight">
      <Field id="job-name" label="Job name" hint="Shown on dashboards and the model page.">
        <input id="job-name" value={name} placeholder={spec.name} onChange={(e) => onName(e.target.value)} />
      </Field>
      <h2>Pre-flight</h2>
      {error ? <ErrorState error={error} retry={onRetry} /> : null}
      {!preflight && !error ? <Loading label="Estimating memory, tokens and time…" /> : null}
      {preflight ? <Report preflight={preflight} method={method} /> : null}
      <h3>Spec</h3>
      <pre className="log">{JSON.stringify(spec, null, 2)}</pre>
      {permissioned ? (
        <p className="hint" data-testid="builder-key-hint">
          Permissioned data: your wallet signs once to add your encryption key to the spec. {BUILDER_ENCRYPTION_KEY_HELP}
        </p>
      ) : null}
      <button className="btn btn-primary" disabled={busy || (preflight !== null && !preflight.ok)} onClick={onSubmit}>
        {busy ? "Submitting…" : "Store spec and create job"}
      </button>
    </div>
  );
}
