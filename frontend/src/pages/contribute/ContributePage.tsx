// Contribute: drop a file → validate in the browser with the SDK → describe → upload with
// progress → register on chain → follow the contribution until the index has it.
import { useState, type FormEvent } from "react";
import { parseEventLogs } from "viem";
import { datanetRegistryAbi } from "@modelfactory/sdk";
import { parseDataset, type ParseDatasetResult } from "@sdk/dataset/parse.ts";
import {
  prepareContribution,
  buildContributionMetadata,
  sealPreparedContribution,
  type PreparedContribution,
  type SealedPreparedContribution,
} from "@sdk/dataset/prepare.ts";
import { serializeContributionMetadata, normalizeDescription } from "@sdk/dataset/metadata.ts";
import { useAppConfig } from "../../config/context.tsx";
import { useContribution } from "../../data/hooks/useContribution.ts";
import { useDatanet } from "../../data/hooks/useDatanet.ts";
import { parseTags } from "../../data/datanet-metadata.ts";
import { addContent } from "../../lib/content-api.ts";
import { readDatanetKey } from "../../lib/datanet-key.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { Link, useParams } from "../../router/router.tsx";
import { Field, PageHeader, ProgressBar, StatusBadge } from "../../ui/bits.tsx";
import { formatBytes } from "../../ui/format.ts";
import { ErrorState, Loading } from "../../ui/states.tsx";
import { useEncryptionKey } from "../../wallet/use-encryption-key.ts";
import { useRegisterContribution } from "../../data/hooks/useRegisterContribution.ts";
import { alreadyToasted } from "../../data/mutations/protocol-write-mutation.ts";
import { WalletGate } from "../../wallet/WalletGate.tsx";
import { DatasetProblems } from "./DatasetProblems.tsx";
import { DropZone } from "./DropZone.tsx";
import { RecordPreview } from "./RecordPreview.tsx";

type Stage = "choose" | "invalid" | "valid" | "encrypting" | "uploading" | "registering" | "indexing" | "done";
const STEPS: { stage: Stage[]; label: string }[] = [
  { stage: ["choose", "invalid", "valid"], label: "1 · Validate" },
  { stage: ["encrypting", "uploading"], label: "2 · Upload" },
  { stage: ["registering"], label: "3 · Register on chain" },
  { stage: ["indexing", "done"], label: "4 · Indexed" },
];

function Steps({ stage }: { stage: Stage }) {
  const current = STEPS.findIndex((s) => s.stage.includes(stage));
  return (
    <ol className="steps" aria-label="Progress">
      {STEPS.map((s, i) => (
        <li
          key={s.label}
          className={i < current || stage === "done" ? "done" : i === current ? "current" : ""}
          aria-current={i === current ? "step" : undefined}
        >
          {s.label}
        </li>
      ))}
    </ol>
  );
}

function FollowStatus({ id }: { id: string }) {
  const c = useContribution(id);
  return (
    <section className="panel" data-testid="contribution-status">
      <h2>Contribution #{id}</h2>
      {c.data ? (
        <p>
          Indexed with status <StatusBadge status={c.data.status} />.{" "}
          {c.data.status === "Pending" ? "An approver of this Datanet will review it." : null}{" "}
          <Link to="/contributions">See all my contributions</Link>
        </p>
      ) : c.error ? (
        <ErrorState error={c.error} retry={() => void c.refetch()} />
      ) : (
        <Loading label="Registered on chain; waiting for the index…" />
      )}
    </section>
  );
}

export default function ContributePage() {
  const { id = "" } = useParams();
  const datanet = useDatanet(id);
  const config = useAppConfig();
  const registerContribution = useRegisterContribution();
  const encryptionKey = useEncryptionKey();
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array } | null>(null);
  const [result, setResult] = useState<ParseDatasetResult | null>(null);
  const [stage, setStage] = useState<Stage>("choose");
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [contributionId, setContributionId] = useState<string | null>(null);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState("");
  const [license, setLicense] = useState("");

  if (datanet.isPending) return <Loading />;
  if (datanet.error || !datanet.data) return <ErrorState error={datanet.error ?? new Error(`Datanet #${id} is not indexed yet.`)} />;
  const d = datanet.data;
  const permissioned = d.accessPolicy === "Permissioned";
  const kinds = d.metadata?.recordKinds;

  const onFile = async (f: File) => {
    setError(null);
    setContributionId(null);
    const bytes = new Uint8Array(await f.arrayBuffer());
    const parsed = parseDataset({ bytes, fileName: f.name }, kinds ? { kinds } : {});
    setFile({ name: f.name, bytes });
    setResult(parsed);
    setStage(parsed.ok ? "valid" : "invalid");
    if (!title) setTitle(f.name.replace(/\.[^.]+$/, ""));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || !result?.ok) return;
    setError(null);
    let prepared: PreparedContribution;
    let descriptionDoc;
    try {
      descriptionDoc = normalizeDescription({ title, description, tags: parseTags(tags), license: license || d.license });
      prepared = await prepareContribution({ bytes: file.bytes, fileName: file.name }, kinds ? { kinds } : {});
    } catch (err) {
      setError(err);
      return;
    }
    try {
      // A permissioned Datanet's records are sealed here, before anything leaves the browser:
      // for the key its owner bound on chain and for the contributor's own wallet key.
      let sealed: SealedPreparedContribution | undefined;
      if (permissioned) {
        setStage("encrypting");
        const key = await readDatanetKey(config, d.id);
        if (!key)
          throw new Error(
            `Datanet #${d.id} is permissioned but its owner has not bound an encryption key on chain yet, so nothing can be contributed privately. Ask the owner to set one on the Datanet's page.`,
          );
        const mine = await encryptionKey();
        sealed = await sealPreparedContribution(prepared, { recipients: [key.publicKey, mine.publicKey], datanetKeyVersion: key.version });
      }
      const upload = sealed ? sealed.envelope : prepared.bytes;
      const expected = sealed ? sealed.cid : prepared.cid;
      setStage("uploading");
      setProgress(0);
      const stored = await addContent(
        config.contentApiUrl,
        upload,
        sealed ? `${file.name}.envelope` : `${file.name}.canonical.jsonl`,
        setProgress,
      );
      if (stored.cid !== expected.toString()) {
        throw new Error(
          `The content store gave CID ${stored.cid}, but these bytes have CID ${expected}; it does not use the pinned layout.`,
        );
      }
      const metadata = buildContributionMetadata(prepared, descriptionDoc, sealed);
      const meta = await addContent(config.contentApiUrl, serializeContributionMetadata(metadata), "metadata.json");
      setStage("registering");
      const receipt = await registerContribution.mutateAsync({
        datanetId: d.id,
        contentHash: sealed ? sealed.contentHash : prepared.contentHash,
        contentId: stored.cid,
        metadataURI: `ipfs://${meta.cid}`,
      });
      const [registered] = parseEventLogs({ abi: datanetRegistryAbi, logs: receipt.logs, eventName: "ContributionRegistered" });
      setContributionId(registered ? registered.args.contributionId.toString() : null);
      setStage("indexing");
    } catch (err) {
      setStage("valid");
      if (!alreadyToasted(err)) setError(err);
    }
  };

  const busy = stage === "encrypting" || stage === "uploading" || stage === "registering";
  return (
    <>
      <PageHeader
        title={`Contribute to ${d.metadata?.name ?? `Datanet #${d.id}`}`}
        subtitle={
          <>
            Accepts {kinds?.join(", ") ?? "any"} records ·{" "}
            {d.contributionPolicy === "Curated" ? "an approver reviews each contribution" : "accepted on registration"}
          </>
        }
      />
      <Steps stage={stage} />
      <WalletGate reason="to contribute">
        {stage !== "indexing" ? <DropZone onFile={(f) => void onFile(f)} accept=".jsonl,.json,.csv,.tsv,.txt,.md" /> : null}
        {file && result ? (
          <p className="hint" data-testid="file-summary">
            {file.name} · {formatBytes(file.bytes.length)} · read as {result.format}
            {result.ok ? ` · ${result.records.length} valid records` : ""}
          </p>
        ) : null}
        {result && !result.ok ? <DatasetProblems problems={result.problems} total={result.problemCount} /> : null}
        {result?.ok && stage !== "indexing" ? (
          <div className="cols">
            <div className="panel">
              <RecordPreview records={result.records} />
            </div>
            <form className="panel" onSubmit={(e) => void submit(e)} aria-label="Describe the contribution">
              <h2>Describe it</h2>
              <Field id="c-title" label="Title">
                <input id="c-title" value={title} onChange={(e) => setTitle(e.target.value)} required />
              </Field>
              <Field id="c-desc" label="Description" hint="Optional: source, collection method, caveats.">
                <textarea id="c-desc" value={description} onChange={(e) => setDescription(e.target.value)} />
              </Field>
              <Field id="c-tags" label="Tags" hint="Comma-separated.">
                <input id="c-tags" value={tags} onChange={(e) => setTags(e.target.value)} />
              </Field>
              <Field id="c-license" label="License" hint={`Defaults to the Datanet's license (${d.license}).`}>
                <input id="c-license" value={license} placeholder={d.license} onChange={(e) => setLicense(e.target.value)} />
              </Field>
              {permissioned ? (
                <p className="hint" data-testid="encryption-notice">
                  🔒 Encrypted in this browser before upload, for this Datanet's approvers and the trainers it admits (its key is bound on
                  chain) and for you. The title, description, tags, license and record count above stay public.
                </p>
              ) : null}
              {stage === "encrypting" ? (
                <p className="hint">
                  Encrypting… (your wallet asks once for a signature that derives your encryption key; it costs nothing)
                </p>
              ) : null}
              {stage === "uploading" ? <ProgressBar value={progress} label="Upload progress" /> : null}
              {error ? <ErrorState error={error} /> : null}
              <button className="btn btn-primary" type="submit" disabled={busy}>
                {stage === "encrypting"
                  ? "Encrypting…"
                  : stage === "uploading"
                    ? "Uploading…"
                    : stage === "registering"
                      ? "Registering…"
                      : permissioned
                        ? "Encrypt, upload and register"
                        : "Upload and register"}
              </button>
            </form>
          </div>
        ) : null}
        {contributionId ? <FollowStatus id={contributionId} /> : null}
        {stage === "indexing" && !contributionId ? (
          <p>{errorSentence(new Error("The registration event was not found in the receipt"))}</p>
        ) : null}
      </WalletGate>
    </>
  );
}
