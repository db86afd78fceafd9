// Toasts for what is happening in the background: pending and confirmed transactions,
// uploads, errors. Announced politely to screen readers.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

export type ToastKind = "pending" | "success" | "error" | "info";
export type Toast = {
  id: number;
  kind: ToastKind;
  title: string;
  body?: string | undefined;
  link?: { href: string; label: string } | undefined;
};
export type ToastApi = {
  show: (toast: Omit<Toast, "id">) => number;
  update: (id: number, toast: Omit<Toast, "id">) => void;
  dismiss: (id: number) => void;
};

const ToastContext = createContext<ToastApi | null>(null);
let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const autoDismiss = useCallback(
    (id: number, kind: ToastKind) => {
      if (kind === "success" || kind === "info") setTimeout(() => dismiss(id), 6000);
    },
    [dismiss],
  );
  const api = useMemo<ToastApi>(
    () => ({
      show: (toast) => {
        const id = nextId++;
        setToasts((t) => [...t.slice(-4), { ...toast, id }]);
        autoDismiss(id, toast.kind);
        return id;
      },
      update: (id, toast) => {
        setToasts((t) => (t.some((x) => x.id === id) ? t.map((x) => (x.id === id ? { ...toast, id } : x)) : [...t, { ...toast, id }]));
        autoDismiss(id, toast.kind);
      },
      dismiss,
    }),
    [autoDismiss, dismiss],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} data-testid={`toast-${t.kind}`}>
            <div className="toast-title">
              {t.kind === "pending" ? <span className="spinner" aria-hidden /> : null}
              {t.title}
            </div>
            {t.body ? <div className="toast-body">{t.body}</div> : null}
            {t.link ? (
              <a className="toast-link" href={t.link.href}>
                {t.link.label}
              </a>
            ) : null}
            <button className="toast-close" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToasts(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToasts outside ToastProvider");
  return api;
}
