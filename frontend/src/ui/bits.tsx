// Small presentational pieces: addresses, hashes, badges, scope chips, page headers.
import type { ReactNode } from "react";
import { scopeNames } from "@sdk/protocol/enums.ts";
import { Link } from "../router/router.tsx";
import { shortHex } from "./format.ts";

export function AddressLink({ address, label }: { address: string; label?: string }) {
  return (
    <Link to={`/explore/contributor/${address.toLowerCase()}`} className="mono" title={address}>
      {label ?? shortHex(address)}
    </Link>
  );
}

export function Hash({ value, title }: { value: string; title?: string }) {
  return (
    <span className="mono hash" title={title ?? value}>
      {shortHex(value, 10, 6)}
      <button className="copy" aria-label={`Copy ${value}`} onClick={() => void navigator.clipboard?.writeText(value)}>
        ⧉
      </button>
    </span>
  );
}

export function Badge({ tone = "neutral", children }: { tone?: "neutral" | "good" | "warn" | "bad" | "info"; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

const STATUS_TONE: Record<string, "neutral" | "good" | "warn" | "bad" | "info"> = {
  Pending: "warn",
  Accepted: "good",
  Rejected: "bad",
  Withdrawn: "neutral",
  Granted: "good",
  Denied: "bad",
  Open: "info",
  Claimed: "info",
  Completed: "good",
  Failed: "bad",
  Cancelled: "neutral",
};

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONE[status] ?? "neutral"}>{status}</Badge>;
}

export function Scopes({ scopes }: { scopes: number }) {
  return (
    <span className="scopes">
      {scopeNames(scopes).map((s) => (
        <Badge key={s} tone="info">
          {s}
        </Badge>
      ))}
    </span>
  );
}

export function PageHeader({ title, children, subtitle }: { title: ReactNode; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="subtitle">{subtitle}</p> : null}
      </div>
      {children ? <div className="page-actions">{children}</div> : null}
    </header>
  );
}

export function Field({
  label,
  hint,
  error,
  children,
  id,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | null | undefined;
  children: ReactNode;
  id: string;
}) {
  return (
    <div className={`field${error ? " field-invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="field-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
      <span className="progress-label">{pct}%</span>
    </div>
  );
}
