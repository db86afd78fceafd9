// An inline form for a reason the other side reads (denying a request, rejecting
// contributions): one labelled, required, bounded text field with confirm and cancel.
import { useId, useState, type FormEvent } from "react";
import { REASON_MAX_LENGTH, reasonProblem } from "../data/writes/write-inputs.ts";

export type ReasonFormProps = {
  /** The field's label, e.g. "Reason for denying (shown to the builder)". */
  label: string;
  /** The confirm button's text, e.g. "Deny request #3". */
  confirmLabel: string;
  initial?: string;
  busy?: boolean;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
};

export function ReasonForm({ label, confirmLabel, initial = "", busy = false, onConfirm, onCancel }: ReasonFormProps) {
  const id = useId();
  const [reason, setReason] = useState(initial);
  const [tried, setTried] = useState(false);
  const problem = reasonProblem(reason);
  const shown = tried ? problem : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!problem) onConfirm(reason.trim());
  };
  return (
    <form className="panel reason-form" onSubmit={submit} aria-label={confirmLabel} noValidate>
      <div className={`field${shown ? " field-invalid" : ""}`}>
        <label htmlFor={id}>{label}</label>
        <textarea
          id={id}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={REASON_MAX_LENGTH}
          required
          aria-invalid={!!shown}
          aria-describedby={`${id}-count${shown ? ` ${id}-error` : ""}`}
          autoFocus
        />
        <div className="hint" id={`${id}-count`}>
          {reason.trim().length} / {REASON_MAX_LENGTH} characters
        </div>
        {shown ? (
          <div className="field-error" id={`${id}-error`} role="alert">
            {shown}
          </div>
        ) : null}
      </div>
      <div className="toolbar">
        <button type="submit" className="btn btn-small btn-danger" disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" className="btn btn-small" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
