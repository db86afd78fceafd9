// A permissioned Datanet's encryption key: what is bound on chain (read from the chain), and
// for the owner, binding or rotating it from their key service. Contributors encrypt only for
// the key bound here, so a key service cannot be swapped in behind the owner's back.
import { useState, type FormEvent } from "react";
import { fetchDatanetKey } from "@modelfactory/sdk";
import { useDatanetKey } from "../../data/hooks/useDatanetKey.ts";
import { useSetEncryptionKey } from "../../data/hooks/useSetEncryptionKey.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { Hash } from "../../ui/bits.tsx";

export function EncryptionKeyPanel({ datanetId, isOwner }: { datanetId: string; isOwner: boolean }) {
  const setKey = useSetEncryptionKey();
  const bound = useDatanetKey(datanetId);
  const [url, setUrl] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const bind = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let base: URL;
    try {
      base = new URL(url.trim());
    } catch {
      return setError("Enter the key service's URL, e.g. http://127.0.0.1:8790.");
    }
    setBusy(true);
    try {
      const key = await fetchDatanetKey(base.origin, BigInt(datanetId));
      await setKey.mutateAsync({ datanetId, publicKey: key.publicKey, keyServiceUrl: base.origin, rotate: !!bound.data });
      await bound.refetch();
    } catch (err) {
      setError(errorSentence(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="key-h" data-testid="encryption-key">
      <h2 id="key-h">Encryption</h2>
      <p className="hint">
        Contributions to this Datanet are encrypted in the contributor's browser for this key. Its key service releases a contribution's key
        only to whom the chain allows: trainers holding a job's claim for builders with train access, this Datanet's owner and approvers,
        and the contributor.
      </p>
      {bound.isPending ? (
        <p>Reading the chain…</p>
      ) : bound.error ? (
        <p className="field-error">{errorSentence(bound.error)}</p>
      ) : bound.data ? (
        <dl className="kv">
          <dt>Public key (version {bound.data.version})</dt>
          <dd>
            <Hash value={bound.data.publicKey} />
          </dd>
          <dt>Key service</dt>
          <dd className="mono">{bound.data.keyServiceURI}</dd>
        </dl>
      ) : (
        <p className="field-error">No encryption key is bound yet: nobody can contribute until the owner binds one.</p>
      )}
      {isOwner ? (
        <form onSubmit={(e) => void bind(e)} className="row" aria-label="Bind encryption key">
          <label htmlFor="key-service-url" className="sr-only">
            Key service URL
          </label>
          <input
            id="key-service-url"
            className="input"
            style={{ maxWidth: 420 }}
            placeholder="Key service URL, e.g. http://127.0.0.1:8790"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-invalid={!!error}
          />
          <button className="btn" type="submit" disabled={busy}>
            {busy ? "Binding…" : bound.data ? "Rotate to this key service's key" : "Bind this key service's key"}
          </button>
          {error ? (
            <span className="field-error" role="alert">
              {error}
            </span>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}
