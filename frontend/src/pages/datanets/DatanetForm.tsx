// The create/edit form: fields with labels, hints and inline errors shown after a submit attempt.
import { useState, type FormEvent } from "react";
import { RECORD_KINDS, type RecordKind } from "@sdk/dataset/schema.ts";
import { validateDatanetForm, type DatanetForm as Form } from "../../data/datanet-metadata.ts";
import { Field } from "../../ui/bits.tsx";

export function DatanetForm({
  initial,
  submitLabel,
  onSubmit,
  busy,
}: {
  initial: Form;
  submitLabel: string;
  onSubmit: (form: Form) => void;
  busy?: boolean;
}) {
  const [form, setForm] = useState(initial);
  const [tried, setTried] = useState(false);
  const errors = tried ? validateDatanetForm(form) : {};
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(validateDatanetForm(form)).length === 0) onSubmit(form);
  };
  const aria = (id: keyof Form) => ({
    "aria-invalid": errors[id] ? true : undefined,
    "aria-describedby": `${id}-hint ${errors[id] ? `${id}-error` : ""}`.trim(),
  });
  return (
    <form className="panel" onSubmit={submit} noValidate aria-label="Datanet">
      <Field id="name" label="Name" error={errors.name} hint="Short and specific, e.g. “Clinical triage Q&A (EN)”.">
        <input id="name" value={form.name} onChange={(e) => set("name", e.target.value)} {...aria("name")} />
      </Field>
      <Field
        id="description"
        label="Description"
        error={errors.description}
        hint="What the data is, where it comes from, what it is good for."
      >
        <textarea id="description" value={form.description} onChange={(e) => set("description", e.target.value)} {...aria("description")} />
      </Field>
      <div className="cols-2">
        <Field id="domain" label="Domain" error={errors.domain} hint="One word or two: medicine, law, finance…">
          <input id="domain" value={form.domain} onChange={(e) => set("domain", e.target.value)} {...aria("domain")} />
        </Field>
        <Field id="tags" label="Tags" error={errors.tags} hint="Comma-separated.">
          <input id="tags" value={form.tags} onChange={(e) => set("tags", e.target.value)} {...aria("tags")} />
        </Field>
      </div>
      <Field id="license" label="License" error={errors.license} hint="SPDX identifier, e.g. CC-BY-4.0, CC0-1.0, MIT.">
        <input id="license" value={form.license} onChange={(e) => set("license", e.target.value)} {...aria("license")} />
      </Field>
      <fieldset className="field">
        <legend>Record kinds accepted</legend>
        <div className="checks">
          {RECORD_KINDS.map((k: RecordKind) => (
            <label key={k}>
              <input
                type="checkbox"
                checked={form.recordKinds.includes(k)}
                onChange={(e) => set("recordKinds", e.target.checked ? [...form.recordKinds, k] : form.recordKinds.filter((x) => x !== k))}
              />
              {k}
            </label>
          ))}
        </div>
        {errors.recordKinds ? (
          <div className="field-error" role="alert">
            {errors.recordKinds}
          </div>
        ) : null}
      </fieldset>
      <div className="cols-2">
        <Field
          id="accessPolicy"
          label="Access policy"
          hint="Permissioned: builders need a grant from an approver. Open: anyone may use the data."
        >
          <select id="accessPolicy" value={form.accessPolicy} onChange={(e) => set("accessPolicy", e.target.value as Form["accessPolicy"])}>
            <option>Permissioned</option>
            <option>Open</option>
          </select>
        </Field>
        <Field
          id="contributionPolicy"
          label="Contribution policy"
          hint="Curated: an approver accepts each contribution. Open: accepted on registration."
        >
          <select
            id="contributionPolicy"
            value={form.contributionPolicy}
            onChange={(e) => set("contributionPolicy", e.target.value as Form["contributionPolicy"])}
          >
            <option>Curated</option>
            <option>Open</option>
          </select>
        </Field>
      </div>
      <button className="btn btn-primary" type="submit" disabled={busy}>
        {busy ? "Working…" : submitLabel}
      </button>
    </form>
  );
}
