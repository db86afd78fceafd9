// "Export" on the report page: the merged model as a Hugging Face folder or GGUF (f16, q8_0), made
// by the trainer node on request (it signs the builder in: a merge costs the node minutes), with
// progress while it runs and a one-time download link when it is done.
import { useEffect, useRef, useState } from "react";
import { MODEL_EXPORT_FORMATS, MODEL_EXPORT_HELP, describeError, type ModelExportFormat, type ModelExportStatus } from "@modelfactory/sdk";
import { fetchAdapter } from "../../data/actions/fetch-adapter.ts";
import { saveFile } from "../../lib/save-file.ts";
import { trainerApi } from "../../lib/trainer-api.ts";
import { formatBytes, formatDuration } from "../../ui/format.ts";
import { useTrainerSession } from "../../wallet/use-trainer-session.ts";

const POLL_MS = 2000;

/**
 * The adapter from the node: open models for anyone; a model trained on permissioned data only
 * for a signed-in builder or access holder (the node answers 401, then this signs in and retries).
 */
export function AdapterDownload({ node, modelId }: { node: string; modelId: string }) {
  const session = useTrainerSession(node);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function run() {
    setError(null);
    setBusy(true);
    try {
      saveFile(`model-${modelId}-adapter.tar`, await fetchAdapter(node, modelId, session));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button className="btn" disabled={busy} onClick={() => void run()}>
        {busy ? "Downloading…" : "Download adapter"}
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}

export function ExportPanel({ node, modelId }: { node: string | null; modelId: string }) {
  const session = useTrainerSession(node);
  const [status, setStatus] = useState<Partial<Record<ModelExportFormat, ModelExportStatus>>>({});
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const polling = useRef(new Set<ModelExportFormat>());
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const running = Object.values(status).some((s) => s?.state === "running");
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);

  if (!node) return null;

  /** Asks the node (idempotent): starts the export, or answers its state and a fresh link. */
  async function ask(format: ModelExportFormat): Promise<ModelExportStatus> {
    const token = session.token ?? (await session.signIn());
    const s = await trainerApi.exportModel(node!, modelId, format, token);
    if (alive.current) setStatus((m) => ({ ...m, [format]: s }));
    return s;
  }

  async function start(format: ModelExportFormat) {
    setError(null);
    if (polling.current.has(format)) return;
    polling.current.add(format);
    try {
      let s = await ask(format);
      while (s.state === "running" && alive.current) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        s = await ask(format);
      }
    } catch (e) {
      setError(describeError(e));
    } finally {
      polling.current.delete(format);
    }
  }

  async function download(format: ModelExportFormat) {
    setError(null);
    try {
      // Links work once and expire: take a fresh one at the moment of the click.
      const s = await ask(format);
      if (s.download) window.location.assign(`${node}${s.download.path}`);
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section className="panel" aria-label="Export">
      <h2>Export</h2>
      <p className="hint">
        The tuned model merged into its base, to run outside ModelFactory. Models trained on permissioned data are exported only to their
        builder and to holders of train or evaluate access on all of their Datanets.
      </p>
      <table className="table">
        <tbody>
          {MODEL_EXPORT_FORMATS.map((format) => {
            const s = status[format];
            return (
              <tr key={format} data-testid={`export-${format}`}>
                <td>
                  <strong>{MODEL_EXPORT_HELP[format].title}</strong>
                  <div className="hint">{MODEL_EXPORT_HELP[format].use}</div>
                </td>
                <td className="num" aria-live="polite">
                  {s?.state === "running" ? `Merging and converting… ${formatDuration((now - Date.parse(s.startedAt)) / 1000)}` : null}
                  {s?.state === "ready" ? `${formatBytes(s.bytes ?? 0)}, made in ${formatDuration(s.seconds ?? 0)}` : null}
                  {s?.state === "failed" ? <span className="field-error">{s.error}</span> : null}
                </td>
                <td className="num">
                  {s?.state === "ready" ? (
                    <button className="btn btn-primary" onClick={() => void download(format)}>
                      Download {s.fileName}
                    </button>
                  ) : (
                    <button className="btn" disabled={s?.state === "running" || session.pending} onClick={() => void start(format)}>
                      {s?.state === "failed" ? "Try again" : "Prepare"}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <p className="hint">
        GGUF runs in llama.cpp (<code>llama-cli -m model-{modelId}-q8_0.gguf</code>) or Ollama (a Modelfile with{" "}
        <code>FROM ./model-{modelId}-q8_0.gguf</code>, then <code>ollama create</code>).
      </p>
    </section>
  );
}
