// The no-code training wizard: base model → Datanets → method → hyperparameters → pre-flight
// → submit (spec → content store → createJob with the spec's sha256). `?continue=<job>` opens it
// prefilled from a failed or cancelled job's spec, to continue that job from its checkpoint.
// The page holds the wizard's state and navigation; each step is its own component.
import { useEffect, useMemo, useState } from "react";
import { useAccount } from "wagmi";
import { bytesToHex, parseEventLogs } from "viem";
import {
  CONTINUE_FROM_HELP,
  buildTrainingSpec,
  serializeTrainingSpec,
  SPEC_PRESETS,
  trainingJobsAbi,
  type EvalSplit,
  type FineTuneMethod,
  type Hyperparameters,
  type PreflightReport,
} from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import { useCreateTrainingJob } from "../../data/hooks/useCreateTrainingJob.ts";
import { useDatanets } from "../../data/hooks/useDatanets.ts";
import { useTrainAccess } from "../../data/hooks/useTrainAccess.ts";
import { useTrainerNodes } from "../../data/hooks/useTrainerNodes.ts";
import { alreadyToasted } from "../../data/mutations/protocol-write-mutation.ts";
import { addContent } from "../../lib/content-api.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { trainerApi } from "../../lib/trainer-api.ts";
import { Link, navigate } from "../../router/router.tsx";
import { PageHeader } from "../../ui/bits.tsx";
import { WalletGate } from "../../wallet/WalletGate.tsx";
import { useEncryptionKey } from "../../wallet/use-encryption-key.ts";
import { BaseModelStep, type ModelChoice } from "./BaseModelStep.tsx";
import { DatanetsStep } from "./DatanetsStep.tsx";
import type { RetrievalAugmented } from "./SourcesOption.tsx";
import { HyperparametersStep } from "./HyperparametersStep.tsx";
import { MethodStep } from "./MethodStep.tsx";
import { PreflightStep } from "./PreflightStep.tsx";
import { sha256Hex, specErrors } from "./hyperparameters.ts";
import { useContinuationPrefill } from "./useContinuationPrefill.ts";

const STEPS = ["Base model", "Datanets", "Method", "Hyperparameters", "Pre-flight & submit"];

export default function TrainWizardPage() {
  const config = useAppConfig();
  const { address } = useAccount();
  const nodes = useTrainerNodes();
  const datanets = useDatanets();
  const ids = useMemo(() => (datanets.data ?? []).map((d) => d.id), [datanets.data]);
  const access = useTrainAccess(address, ids);
  const createJob = useCreateTrainingJob();
  const encryptionKey = useEncryptionKey();
  const [step, setStep] = useState(0);
  const [choice, setChoice] = useState<ModelChoice | null>(null);
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
  const [retrievalAugmented, setRetrievalAugmented] = useState<RetrievalAugmented | undefined>(undefined);
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
    setRetrievalAugmented(p.retrievalAugmented);
    setStep(4);
  }, [continuation.prefill, continueFrom]);
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
    ...(retrievalAugmented ? { retrievalAugmented } : {}),
  });
  const permissioned = (datanets.data ?? []).some((d) => selected.includes(d.id) && d.accessPolicy === "Permissioned");
  // Only the hyperparameter step's fields: model and Datanets are checked by their own steps.
  const hpErrors = Object.fromEntries(
    Object.entries(specErrors(spec)).filter(
      ([f]) => f.startsWith("hyperparameters") || f.startsWith("retrievalAugmented") || f === "evalFraction",
    ),
  );

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
      const bytes = serializeTrainingSpec(
        permissioned ? { ...spec, builderEncryptionKey: bytesToHex((await encryptionKey()).publicKey) } : spec,
      );
      const hash = await sha256Hex(bytes);
      const { cid } = await addContent(config.contentApiUrl, bytes, "spec.json");
      const receipt = await createJob.mutateAsync({ datanetIds: spec.datanetIds, specURI: `ipfs://${cid}`, specHash: hash });
      const [created] = parseEventLogs({ abi: trainingJobsAbi, logs: receipt.logs, eventName: "JobCreated" });
      navigate(`/jobs/${created?.args.jobId ?? ""}`);
    } catch (e) {
      if (!alreadyToasted(e)) setPreflightError(e);
    } finally {
      setBusy(false);
    }
  };
  const canNext = [
    choice !== null,
    selected.length > 0,
    choice?.model.methods.includes(method) ?? false,
    Object.keys(hpErrors).length === 0,
    true,
  ][step];
  const go = (s: number) => {
    setStep(s);
    if (s === 4) void runPreflight();
  };
  // The prefilled wizard opens at the pre-flight, which checks the continuation on the node.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, when the prefill arrives, not on every step change
  useEffect(() => {
    if (continueFrom && step === 4 && !preflight && !preflightError) void runPreflight();
  }, [continueFrom]);

  return (
    <>
      <PageHeader
        title="Train a model"
        subtitle="Fine-tune a base model on Datanets you may train on, with LoRA or QLoRA. No terminal needed."
      />
      <ol className="steps" aria-label="Wizard steps">
        {STEPS.map((s, i) => (
          <li key={s} className={i < step ? "done" : i === step ? "current" : ""} aria-current={i === step ? "step" : undefined}>
            {i + 1} · {s}
          </li>
        ))}
      </ol>
      {continuation.error ? (
        <p className="field-error" data-testid="continue-error">
          {continuation.error}
        </p>
      ) : null}
      {continueFrom ? (
        <p className="panel" data-testid="continue-banner">
          Continuing job <Link to={`/jobs/${continueFrom}`}>#{continueFrom}</Link> from its last checkpoint on the node that ran it.{" "}
          {CONTINUE_FROM_HELP}{" "}
          <button
            className="btn"
            onClick={() => {
              setContinueFrom(null);
              navigate("/train");
            }}
          >
            Start a new job instead
          </button>
        </p>
      ) : null}
      <WalletGate reason="to train a model">
        <section className="panel" aria-live="polite">
          {step === 0 ? <BaseModelStep nodes={nodes} choice={choice} onChoose={setChoice} /> : null}
          {step === 1 ? (
            <DatanetsStep
              datanets={datanets.data ?? []}
              access={access.data}
              loading={datanets.isPending || access.isPending}
              selected={selected}
              onChange={setSelected}
            />
          ) : null}
          {step === 2 ? <MethodStep model={choice?.model} method={method} onChange={setMethod} /> : null}
          {step === 3 ? (
            <HyperparametersStep
              hp={hp}
              onHp={setHp}
              evalFraction={evalFraction}
              onEvalFraction={setEvalFraction}
              evalSplit={evalSplit}
              onEvalSplit={setEvalSplit}
              retrievalAugmented={retrievalAugmented}
              onRetrievalAugmented={setRetrievalAugmented}
              errors={hpErrors}
            />
          ) : null}
          {step === 4 && choice ? (
            <PreflightStep
              spec={spec}
              name={name}
              onName={setName}
              method={method}
              preflight={preflight}
              error={preflightError}
              onRetry={() => void runPreflight()}
              permissioned={permissioned}
              busy={busy}
              onSubmit={() => void submit()}
            />
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
