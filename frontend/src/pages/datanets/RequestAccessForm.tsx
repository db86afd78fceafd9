// A builder asks for access: scopes and a purpose (stored as a document; its URI in the event).
import { useState, type FormEvent } from "react";
import { Scope } from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import { addJson } from "../../lib/content-api.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { Field } from "../../ui/bits.tsx";
import { useToasts } from "../../ui/toasts.tsx";
import { useRequestAccess } from "../../data/hooks/useRequestAccess.ts";
import { alreadyToasted } from "../../data/mutations/protocol-write-mutation.ts";

export function ScopePicker({ value, onChange, legend = "Scopes" }: { value: number; onChange: (v: number) => void; legend?: string }) {
  const help: Record<keyof typeof Scope, string> = {
    Train: "fine-tune models",
    Retrieve: "use in chat retrieval (RAG)",
    Evaluate: "evaluate models",
  };
  return (
    <fieldset className="field">
      <legend>{legend}</legend>
      <div className="checks">
        {(Object.keys(Scope) as (keyof typeof Scope)[]).map((name) => (
          <label key={name}>
            <input
              type="checkbox"
              checked={(value & Scope[name]) !== 0}
              onChange={(e) => onChange(e.target.checked ? value | Scope[name] : value & ~Scope[name])}
            />
            {name} <span className="hint">({help[name]})</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function RequestAccessForm({ datanetId }: { datanetId: string }) {
  const config = useAppConfig();
  const requestAccess = useRequestAccess();
  const toasts = useToasts();
  const [scopes, setScopes] = useState<number>(Scope.Train | Scope.Retrieve | Scope.Evaluate);
  const [purpose, setPurpose] = useState("");
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const error =
    purpose.trim().length < 10
      ? "Say in a sentence what you will build with the data (at least 10 characters)."
      : scopes === 0
        ? "Choose at least one scope."
        : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (error) return;
    setBusy(true);
    try {
      const { uri } = await addJson(
        config.contentApiUrl,
        { schema: "modelfactory.access-purpose/1", datanetId, purpose: purpose.trim() },
        "purpose.json",
      );
      await requestAccess.mutateAsync({ datanetId, scopes, purposeURI: uri });
      setPurpose("");
      setTried(false);
    } catch (err) {
      if (!alreadyToasted(err)) toasts.show({ kind: "error", title: "Could not request access", body: errorSentence(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Request access" noValidate>
      <ScopePicker value={scopes} onChange={setScopes} />
      <Field id="purpose" label="Purpose" error={tried ? error : null} hint="Approvers read this before granting access.">
        <textarea id="purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)} />
      </Field>
      <button className="btn btn-primary" disabled={busy} type="submit">
        {busy ? "Requesting…" : "Request access"}
      </button>
    </form>
  );
}
