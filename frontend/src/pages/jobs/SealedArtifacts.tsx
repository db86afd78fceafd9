// A model trained on permissioned data keeps its sample answers and its adapter sealed: the
// report page opens them here, in the browser, with the builder's wallet-derived key or a key
// a Datanet's key service releases (purpose "model"). Samples are rendered as text, never as
// HTML; the adapter is checked against the on-chain adapter hash before it is saved.
import { useState } from "react";
import { useAccount, useSignMessage } from "wagmi";
import { openPrivateSamples, type EvaluationReport, type EvaluationSample } from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import { openModelArtifact, type ArtifactWallet, type SealedModel } from "../../data/actions/open-model-artifact.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { Badge } from "../../ui/bits.tsx";
import { useEncryptionKey } from "../../wallet/use-encryption-key.ts";
import { SampleAnswer } from "./SampleAnswer.tsx";
import { saveFile } from "../../lib/save-file.ts";

function useArtifactWallet(): ArtifactWallet | null {
  const { address } = useAccount();
  const { signMessageAsync } = useSignMessage();
  const encryptionKey = useEncryptionKey();
  if (!address) return null;
  return { address, signer: { address, signMessage: ({ message }) => signMessageAsync({ message }) }, encryptionKey };
}

/**
 * The report's sealed sample answers, for the builder and holders of train or evaluate access,
 * checked against the hashes the public report commits to.
 */
export function PrivateSamples({
  model,
  jobId,
  part,
}: {
  model: SealedModel;
  jobId: string;
  part: NonNullable<EvaluationReport["privateSamples"]>;
}) {
  const { cid, count } = part;
  const config = useAppConfig();
  const wallet = useArtifactWallet();
  const [state, setState] = useState<{
    busy: boolean;
    error: string | null;
    samples: EvaluationSample[] | null;
    via: string | null;
    verified: boolean;
  }>({ busy: false, error: null, samples: null, via: null, verified: false });
  async function read() {
    if (!wallet) return;
    setState({ busy: true, error: null, samples: null, via: null, verified: false });
    try {
      const opened = await openModelArtifact(config, model, "samples", cid, wallet);
      const { document, verified } = openPrivateSamples(opened.bytes, jobId, part);
      setState({ busy: false, error: null, samples: document.samples, via: opened.via, verified });
    } catch (error) {
      setState({ busy: false, error: errorSentence(error), samples: null, via: null, verified: false });
    }
  }
  return (
    <div data-testid="private-samples">
      {state.samples ? null : (
        <p>
          <button className="btn" onClick={() => void read()} disabled={!wallet || state.busy}>
            {state.busy ? "Decrypting…" : "Read the samples (decrypted in your browser)"}
          </button>{" "}
          <span className="hint">
            {wallet
              ? `${count} sealed sample${count === 1 ? "" : "s"}; your wallet signs once to open them.`
              : "Connect the builder's wallet, or one with train or evaluate access to every Datanet of this model."}
          </span>
        </p>
      )}
      {state.error ? (
        <p className="field-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.via ? (
        <p className="hint" data-testid="private-samples-opened">
          <Badge tone="info">decrypted in this browser</Badge> with {state.via}; nothing was sent back.{" "}
          {state.verified
            ? "They match the hashes in the public report (whose CID is on chain)."
            : "This report predates sample hashes, so they cannot be checked against it."}
        </p>
      ) : null}
      {state.samples?.map((s, i) => (
        <SampleAnswer key={i} sample={s} index={i} />
      ))}
    </div>
  );
}

/** "Download adapter" for a sealed adapter: fetched from the content store, decrypted here, checked against the chain's hash. */
export function SealedAdapterDownload({ model, cid }: { model: SealedModel; cid: string }) {
  const config = useAppConfig();
  const wallet = useArtifactWallet();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function save() {
    if (!wallet) return;
    setBusy(true);
    setError(null);
    try {
      const { bytes } = await openModelArtifact(config, model, "adapter", cid, wallet);
      saveFile(`model-${model.id}-adapter.tar`, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/x-tar" }));
    } catch (e) {
      setError(errorSentence(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button
        className="btn"
        onClick={() => void save()}
        disabled={!wallet || busy}
        title="The adapter is encrypted: it is decrypted in your browser and checked against its on-chain hash."
      >
        {busy ? "Decrypting adapter…" : "Download adapter (decrypted in your browser)"}
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
