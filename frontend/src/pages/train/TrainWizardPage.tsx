// The no-code training wizard: base model → Datanets → method → hyperparameters → pre-flight
// → submit (spec → content store → createJob with the spec's sha256). `?continue=<job>` opens it
// prefilled from a failed or cancelled job's spec, to continue that job from its checkpoint.
import { useEffect, useMemo, useState } from "react";
import { useAccount } from "wagmi";
import { bytesToHex, parseEventLogs } from "viem";
import {
  ALL_LINEAR,
  BUILDER_ENCRYPTION_KEY_HELP,
  CONTINUE_FROM_HELP,
  buildTrainingSpec,
  HYPERPARAMETER_HELP,
  LORA_TARGET_MODULES,
  LR_SCHEDULERS,
  serializeTrainingSpec,
  EVAL_SPLITS,
  SPEC_PRESETS,
  type EvalSplit,
  trainingJobsAbi,
  type BaseModelInfo,
  type FineTuneMethod,
  type Hyperparameters,
  type PreflightReport,
  type SpecField,
} from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import { useDatanets } from "../../data/hooks/useDatanets.ts";
import { useTrainAccess } from "../../data/hooks/useTrainAccess.ts";
import { useTrainerNodes } from "../../data/hooks/useTrainerNodes.ts";
import { addContent } from "../../lib/content-api.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { trainerApi } from "../../lib/trainer-api.ts";
import { Link, navigate } from "../../router/router.tsx";
import { Badge, Field, PageHeader } from "../../ui/bits.tsx";
import { formatBytes, formatDuration, formatNumber } from "../../ui/format.ts";
import { Empty, ErrorState, Loading } from "../../ui/states.tsx";
import { alreadyToasted, useTransaction } from "../../wallet/use-transaction.ts";
import { WalletGate } from "../../wallet/WalletGate.tsx";
import { useEncryptionKey } from "../../wallet/use-encryption-key.ts";
import { sha256Hex, specErrors } from "./hyperparameters.ts";
import { EvaluationOptions } from "./EvaluationOptions.tsx";
import { useContinuationPrefill } from "./useContinuationPrefill.ts";

const STEPS = ["Base model", "Datanets", "Method", "Hyperparameters", "Pre-flight & submit"];

/** A numeric field of the spec; its id, help and error come from the field's path. */
function NumberField({ field, label, value, onChange, step, errors }: { field: SpecField; label: string; value: number; onChange: (v: number) => void; step?: number; errors: Partial<Record<string, string>> }) {
  const id = `hp-${field.split(".").at(-1)}`;
  return (
    <Field id={id} label={label} hint={HYPERPARAMETER_HELP[field]} error={errors[field]}>
      <input id={id} type="number" step={step ?? "any"} value={Number.isFinite(value) ? value : ""} onChange={(e) => onChange(e.target.valueAsNumber)} />
    </Field>
  );
}

/** Toggles one LoRA target; "all-linear" stands alone. */
function toggleTarget(targets: string[], target: string, on: boolean): string[] {
  if (target === ALL_LINEAR) return on ? [ALL_LINEAR] : [];
  const rest = targets.filter((t) => t !== ALL_LINEAR && t !== target);
  return on ? [...rest, target] : rest;
}

export default function TrainWizardPage() {
  const config = useAppConfig();
  const { address } = useAccount();
  const nodes = useTrainerNodes();
  const datanets = useDatanets();
  const ids = useMemo(() => (datanets.data ?? []).map((d) => d.id), [datanets.data]);
  const access = useTrainAccess(address, ids);
  const send = useTransaction();
  const encryptionKey = useEncryptionKey();
  const [step, setStep] = useState(0);
  const [choice, setChoice] = useState<{ node: string; model: BaseModelInfo } | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [method, setMethod] = useState<FineTuneMethod>("lora");
  const [hp, setHp] = useState<Hyperparameters>(SPEC_PRESETS.balanced.hyperparameters);
  const [evalFraction, setEvalFraction] = useState(0.1);
  const [evalSplit, setEvalSplit] = useState<EvalSplit>("contribution");
  const [name, setName] = useState("");
  const [preflight, setPreflight] = useState<PreflightReport | null>(null);
  const [preflightError, setPreflightError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [continueFrom, setContinueFrom] = useState<string | null>(null);
  const continuation = useContinuationPrefill();
  // Applied once, when the job's spec and the nodes are known: then the builder may still look at each step.
  useEffect(() => {
    const p = continuation.prefill;
    if (!p || continueFrom === p.continueFrom) return;
    setChoice(p.choice);
    setSelected(p.selected);
    setMethod(p.method);
    setHp(p.hp);
    setEvalFraction(p.evalFraction);
    setEvalSplit(p.evalSplit);
    setName(p.name);
    setContinueFrom(p.continueFrom);
    setStep(4);
  }, [continuation.prefill, continueFrom]);
  const live = (nodes.data ?? []).filter((n) => n.health?.ok);
  const spec = buildTrainingSpec({
    name: name || (choice ? `${choice.model.name} on ${selected.map((s) => `#${s}`).join(", ")}` : "draft"),
    baseModel: choice?.model.id ?? "none",
    method,
    datanetIds: selected.length ? selected : ["1"],
    hyperparameters: hp,
    evalFraction,
    // The default stays out of the spec's bytes, as in specs written before the choice existed.
    ...(evalSplit === "record" ? { evalSplit } : {}),
    ...(continueFrom ? { continueFrom } : {}),
  });
  // Only the hyperparameter step's fields: model and Datanets are checked by their own steps.
  const hpErrors = Object.fromEntries(Object.entries(specErrors(spec)).filter(([f]) => f.startsWith("hyperparameters") || f === "evalFraction"));

  const runPreflight = async () => {
    if (!choice) return;
    setPreflight(null);
    setPreflightError(null);
    try {
      setPreflight(await trainerApi.preflight(choice.node, spec));
    } catch (e) {
      setPreflightError(e);
    }
  };
  const submit = async () => {
    if (!choice) return;
    setBusy(true);
    try {
      // Over permissioned data the adapter and samples are sealed; naming the builder's
      // wallet-derived key lets them open both without a key service.
      const permissioned = (datanets.data ?? []).some((d) => selected.includes(d.id) && d.accessPolicy === "Permissioned");
      const bytes = serializeTrainingSpec(permissioned ? { ...spec, builderEncryptionKey: bytesToHex((await encryptionKey()).publicKey) } : spec);
      const hash = await sha256Hex(bytes);
      const { cid } = await addContent(config.contentApiUrl, bytes, "spec.json");
      const receipt = await send("Create training job", { contract: "TrainingJobs", functionName: "createJob", args: [spec.datanetIds.map((d) => BigInt(d)), `ipfs://${cid}`, hash] });
      const [created] = parseEventLogs({ abi: trainingJobsAbi, logs: receipt.logs, eventName: "JobCreated" });
      navigate(`/jobs/${created?.args.jobId ?? ""}`);
    } catch (e) {
      if (!alreadyToasted(e)) setPreflightError(e);
    } finally {
      setBusy(false);
    }
  };
  const canNext = [choice !== null, selected.length > 0, choice?.model.methods.includes(method) ?? false, Object.keys(hpErrors).length === 0, true][step];
  const go = (s: number) => {
    setStep(s);
    if (s === 4) void runPreflight();
  };
  // The prefilled wizard opens at the pre-flight, which checks the continuation on the node.
  useEffect(() => {
    if (continueFrom && step === 4 && !preflight && !preflightError) void runPreflight();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [continueFrom]);

  return (
    <>
      <PageHeader title="Train a model" subtitle="Fine-tune a base model on Datanets you may train on, with LoRA or QLoRA. No terminal needed." />
      <ol className="steps" aria-label="Wizard steps">
        {STEPS.map((s, i) => (
          <li key={s} className={i < step ? "done" : i === step ? "current" : ""} aria-current={i === step ? "step" : undefined}>
            {i + 1} · {s}
          </li>
        ))}
      </ol>
      {continuation.error ? <p className="field-error" data-testid="continue-error">{continuation.error}</p> : null}
      {continueFrom ? (
        <p className="panel" data-testid="continue-banner">
          Continuing job <Link to={`/jobs/${continueFrom}`}>#{continueFrom}</Link> from its last checkpoint on the node that ran it. {CONTINUE_FROM_HELP}{" "}
          <button className="btn" onClick={() => { setContinueFrom(null); navigate("/train"); }}>Start a new job instead</button>
        </p>
      ) : null}
      <WalletGate reason="to train a model">
        <section className="panel" aria-live="polite">
          {step === 0 ? (
            nodes.isPending ? (
              <Loading label="Asking trainer nodes for their base models…" />
            ) : nodes.error ? (
              <ErrorState error={nodes.error} retry={() => void nodes.refetch()} />
            ) : live.length === 0 ? (
              <Empty title="No trainer node is reachable.">
                {(nodes.data ?? []).map((n) => (
                  <div key={n.url} className="hint">{n.url}: {n.error}</div>
                ))}
                Start one with the local stack (<code>npm run dev</code>).
              </Empty>
            ) : (
              <fieldset>
                <legend className="sr-only">Base model</legend>
                {live.flatMap((n) =>
                  n.health!.baseModels.map((m) => (
                    <label key={`${n.url}-${m.id}`} className="option">
                      <input type="radio" name="base" checked={choice?.model.id === m.id && choice.node === n.url} onChange={() => setChoice({ node: n.url, model: m })} />
                      <div>
                        <strong>{m.name}</strong> <span className="mono">{m.id}</span>
                        <div className="meta">
                          <span>{m.architecture}</span>
                          <span>{formatNumber(m.parameters)} parameters</span>
                          <span>{formatBytes(m.sizeBytes)} on disk</span>
                          <span>context {m.contextLength}</span>
                          <span>methods: {m.methods.join(", ") || "none"}</span>
                          <span>{(n.health!.device ?? "unknown device").toUpperCase()} node {new URL(n.url).host}</span>
                          {!m.hasChatTemplate ? <span>default chat template</span> : null}
                        </div>
                      </div>
                    </label>
                  )),
                )}
              </fieldset>
            )
          ) : null}
          {step === 1 ? (
            datanets.isPending || access.isPending ? (
              <Loading label="Checking your train access on chain…" />
            ) : (
              <fieldset>
                <legend className="sr-only">Datanets</legend>
                {(datanets.data ?? []).map((d) => {
                  const ok = access.data?.[d.id] === true;
                  return (
                    <label key={d.id} className={`option${ok ? "" : " disabled"}`}>
                      <input type="checkbox" disabled={!ok} checked={selected.includes(d.id)} onChange={(e) => setSelected(e.target.checked ? [...selected, d.id] : selected.filter((x) => x !== d.id))} />
                      <div>
                        <strong>{d.metadata?.name ?? `Datanet #${d.id}`}</strong> <span className="hint">#{d.id}</span>
                        <div className="meta">
                          <span>{d.acceptedContributionCount} accepted contributions</span>
                          <span>{d.license}</span>
                          {ok ? <Badge tone="good">you may train</Badge> : <Badge>no train access — <Link to={`/datanets/${d.id}`}>request it</Link></Badge>}
                        </div>
                      </div>
                    </label>
                  );
                })}
              </fieldset>
            )
          ) : null}
          {step === 2 ? (
            <fieldset>
              <legend className="sr-only">Method</legend>
              {(["lora", "qlora"] as const).map((m) => {
                const ok = choice?.model.methods.includes(m) ?? false;
                return (
                  <label key={m} className={`option${ok ? "" : " disabled"}`}>
                    <input type="radio" name="method" disabled={!ok} checked={method === m} onChange={() => setMethod(m)} />
                    <div>
                      <strong>{m === "lora" ? "LoRA" : "QLoRA"}</strong>
                      <div className="hint">
                        {m === "lora"
                          ? "Trains small low-rank adapters on a frozen base model in 16/32-bit. Fast and faithful."
                          : "Same adapters over a base model quantised to 4-bit NF4: about a quarter of the weight memory, slightly slower."}
                        {ok ? "" : " Not offered by this node for this model."}
                      </div>
                    </div>
                  </label>
                );
              })}
            </fieldset>
          ) : null}
          {step === 3 ? (
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
                <NumberField field="hyperparameters.learningRate" label="Learning rate" value={hp.learningRate} onChange={(v) => setHp({ ...hp, learningRate: v })} errors={hpErrors} />
                <NumberField field="hyperparameters.batchSize" label="Batch size" value={hp.batchSize} step={1} onChange={(v) => setHp({ ...hp, batchSize: v })} errors={hpErrors} />
                <NumberField field="hyperparameters.gradientAccumulation" label="Gradient accumulation" value={hp.gradientAccumulation} step={1} onChange={(v) => setHp({ ...hp, gradientAccumulation: v })} errors={hpErrors} />
                <NumberField field="hyperparameters.epochs" label="Epochs" value={hp.epochs} step={1} onChange={(v) => setHp({ ...hp, epochs: v })} errors={hpErrors} />
                <NumberField field="hyperparameters.maxLength" label="Max length (tokens)" value={hp.maxLength} step={1} onChange={(v) => setHp({ ...hp, maxLength: v })} errors={hpErrors} />
                <NumberField field="hyperparameters.warmupRatio" label="Warm-up ratio" value={hp.warmupRatio} onChange={(v) => setHp({ ...hp, warmupRatio: v })} errors={hpErrors} />
                <Field id="hp-scheduler" label="Scheduler" hint={HYPERPARAMETER_HELP["hyperparameters.scheduler"]}>
                  <select id="hp-scheduler" value={hp.scheduler} onChange={(e) => setHp({ ...hp, scheduler: e.target.value as Hyperparameters["scheduler"] })}>
                    {LR_SCHEDULERS.map((s) => <option key={s}>{s}</option>)}
                  </select>
                </Field>
                <NumberField field="hyperparameters.weightDecay" label="Weight decay" value={hp.weightDecay} onChange={(v) => setHp({ ...hp, weightDecay: v })} errors={hpErrors} />
                <NumberField field="hyperparameters.lora.rank" label="LoRA rank (r)" value={hp.lora.rank} step={1} onChange={(v) => setHp({ ...hp, lora: { ...hp.lora, rank: v } })} errors={hpErrors} />
                <NumberField field="hyperparameters.lora.alpha" label="LoRA alpha (α)" value={hp.lora.alpha} onChange={(v) => setHp({ ...hp, lora: { ...hp.lora, alpha: v } })} errors={hpErrors} />
                <NumberField field="hyperparameters.lora.dropout" label="LoRA dropout" value={hp.lora.dropout} onChange={(v) => setHp({ ...hp, lora: { ...hp.lora, dropout: v } })} errors={hpErrors} />
                <NumberField field="evalFraction" label="Held-out fraction" value={evalFraction} onChange={setEvalFraction} errors={hpErrors} />
                <label className="field">
                  <span>Held out</span>
                  <select value={evalSplit} onChange={(e) => setEvalSplit(e.target.value as EvalSplit)}>
                    <option value="contribution">whole contributions</option>
                    <option value="record">records of every contribution</option>
                  </select>
                  <span className="hint">{EVAL_SPLITS[evalSplit]}</span>
                </label>
                <NumberField field="hyperparameters.seed" label="Seed" value={hp.seed} step={1} onChange={(v) => setHp({ ...hp, seed: v })} errors={hpErrors} />
              </div>
              <fieldset className="field">
                <legend>LoRA targets</legend>
                <div className="hint">{HYPERPARAMETER_HELP["hyperparameters.lora.targets"]}</div>
                <div className="checks">
                  {[ALL_LINEAR, ...LORA_TARGET_MODULES].map((t) => (
                    <label key={t}>
                      <input type="checkbox" checked={hp.lora.targets.includes(t)} onChange={(e) => setHp({ ...hp, lora: { ...hp.lora, targets: toggleTarget(hp.lora.targets, t, e.target.checked) } })} />
                      <span className="mono">{t}</span>
                    </label>
                  ))}
                </div>
                {hpErrors["hyperparameters.lora.targets"] ? <div className="field-error">{hpErrors["hyperparameters.lora.targets"]}</div> : null}
              </fieldset>
              <EvaluationOptions hp={hp} onChange={setHp} errors={hpErrors} />
            </>
          ) : null}
          {step === 4 && choice && spec ? (
            <div data-testid="preflight">
              <Field id="job-name" label="Job name" hint="Shown on dashboards and the model page.">
                <input id="job-name" value={name} placeholder={spec.name} onChange={(e) => setName(e.target.value)} />
              </Field>
              <h2>Pre-flight</h2>
              {preflightError ? <ErrorState error={preflightError} retry={() => void runPreflight()} /> : null}
              {!preflight && !preflightError ? <Loading label="Estimating memory, tokens and time…" /> : null}
              {preflight ? (
                <>
                  <div className="stats">
                    <div className="stat"><b>{formatBytes(preflight.memory[method])}</b><span>estimated memory ({method === "lora" ? "LoRA" : "QLoRA"})</span></div>
                    <div className="stat"><b>{formatBytes(preflight.memory.full)}</b><span>full fine-tune would need</span></div>
                    {preflight.memoryFit ? (
                      <div className="stat" data-testid="memory-fit"><b>{formatBytes(preflight.memoryFit.estimatedPeakBytes)} / {formatBytes(preflight.memoryFit.availableBytes)}</b><span>estimated peak / this node has{preflight.memoryFit.fits ? "" : " — does not fit"}</span></div>
                    ) : null}
                    <div className="stat"><b>{formatNumber(preflight.tokens)}</b><span>tokens</span></div>
                    <div className="stat"><b>{preflight.records}</b><span>records in {preflight.contributions} contributions</span></div>
                    <div className="stat"><b>{preflight.estimatedSteps}</b><span>steps</span></div>
                    <div className="stat"><b>{formatDuration(preflight.estimatedSeconds)}</b><span>estimated time</span></div>
                  </div>
                  {preflight.perContribution?.length ? (
                    <table className="table" data-testid="preflight-contributions">
                      <caption className="hint">Per contribution (tokens estimated; truncated, dropped and duplicates need the text, so an encrypted one shows —)</caption>
                      <thead><tr><th>Contribution</th><th className="num">Records</th><th className="num">Tokens</th><th className="num">Truncated</th><th className="num">Dropped</th><th className="num">In another contribution</th></tr></thead>
                      <tbody>
                        {preflight.perContribution.map((c) => (
                          <tr key={c.contributionId}>
                            <td>#{c.contributionId} (Datanet #{c.datanetId}){c.sealed ? " · encrypted" : ""}{c.error ? <div className="field-error">{c.error}</div> : null}</td>
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
                        <li key={i}><Badge tone={p.severity === "error" ? "bad" : p.severity === "warning" ? "warn" : "info"}>{p.severity}</Badge> {p.message}</li>
                      ))}
                    </ul>
                  ) : (
                    <p className="verify-ok">No data problems found.</p>
                  )}
                </>
              ) : null}
              <h3>Spec</h3>
              <pre className="log">{JSON.stringify(spec, null, 2)}</pre>
              {(datanets.data ?? []).some((d) => selected.includes(d.id) && d.accessPolicy === "Permissioned") ? (
                <p className="hint" data-testid="builder-key-hint">Permissioned data: your wallet signs once to add your encryption key to the spec. {BUILDER_ENCRYPTION_KEY_HELP}</p>
              ) : null}
              <button className="btn btn-primary" disabled={busy || (preflight !== null && !preflight.ok)} onClick={() => void submit()}>
                {busy ? "Submitting…" : "Store spec and create job"}
              </button>
            </div>
          ) : null}
        </section>
        <div className="row">
          <button className="btn" disabled={step === 0} onClick={() => go(step - 1)}>
            Back
          </button>
          <span className="spacer" />
          {step < 4 ? (
            <button className="btn btn-primary" disabled={!canNext} onClick={() => go(step + 1)}>
              Next: {STEPS[step + 1]}
            </button>
          ) : null}
        </div>
        {preflightError && step !== 4 ? <p className="field-error">{errorSentence(preflightError)}</p> : null}
      </WalletGate>
    </>
  );
}
