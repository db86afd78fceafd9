// The content store as the browser sees it: Kubo's RPC `add` (multipart upload with progress,
// pinned layout flags so CIDs match the SDK's) and `cat`, against the local content API in
// development or a Kubo node in production.
import { ModelFactoryError } from "@sdk/errors.ts";

export class ContentApiRequestError extends ModelFactoryError {
  override name = "ContentApiRequestError";
}

/** The flags of the SDK's pinned layout (sdk/src/content/layout.ts KUBO_ADD_OPTIONS). */
export const ADD_QUERY = "cid-version=1&raw-leaves=true&chunker=size-262144&hash=sha2-256&pin=true";

export type AddResult = { cid: string; size: number };

/**
 * Uploads bytes with `POST /api/v0/add`, reporting progress from 0 to 1.
 * @example
 * const { cid } = await addContent(config.contentApiUrl, bytes, "records.jsonl", (f) => setProgress(f))
 */
export function addContent(
  apiUrl: string,
  bytes: Uint8Array,
  fileName: string,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<AddResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${apiUrl}/api/v0/add?${ADD_QUERY}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(Math.min(1, e.loaded / e.total));
    };
    xhr.onerror = () =>
      reject(
        new ContentApiRequestError("The content store could not be reached; is the content API running?", { code: "CONTENT_UNREACHABLE" }),
      );
    xhr.onabort = () => reject(new ContentApiRequestError("The upload was cancelled.", { code: "CONTENT_ABORTED" }));
    xhr.onload = () => {
      if (xhr.status !== 200) {
        let message = `HTTP ${xhr.status}`;
        try {
          message = (JSON.parse(xhr.responseText) as { Message?: string }).Message ?? message;
        } catch {
          /* keep the status */
        }
        reject(new ContentApiRequestError(`The content store refused the upload: ${message}`, { code: "CONTENT_REFUSED" }));
        return;
      }
      const lines = xhr.responseText.trim().split("\n").filter(Boolean);
      const last = JSON.parse(lines[lines.length - 1] ?? "{}") as { Hash?: string; Size?: string };
      if (!last.Hash)
        return reject(new ContentApiRequestError("The content store answered without a CID.", { code: "CONTENT_BAD_RESPONSE" }));
      onProgress?.(1);
      resolve({ cid: last.Hash, size: Number(last.Size ?? bytes.length) });
    };
    signal?.addEventListener("abort", () => xhr.abort());
    const form = new FormData();
    form.append("file", new Blob([bytes as BlobPart], { type: "application/octet-stream" }), fileName);
    xhr.send(form);
  });
}

/** `ipfs://<cid>` or a bare CID → the CID. */
export function cidOfUri(uri: string): string {
  return uri.startsWith("ipfs://") ? uri.slice("ipfs://".length).replace(/\/$/, "") : uri;
}

/** Reads a stored file's bytes with `POST /api/v0/cat`. */
export async function catContent(apiUrl: string, uri: string, signal?: AbortSignal): Promise<Uint8Array> {
  const cid = cidOfUri(uri);
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/api/v0/cat?arg=${encodeURIComponent(cid)}`, { method: "POST", ...(signal ? { signal } : {}) });
  } catch (cause) {
    throw new ContentApiRequestError("The content store could not be reached; is the content API running?", {
      code: "CONTENT_UNREACHABLE",
      cause,
    });
  }
  if (!response.ok) {
    const text = await response.text().catch(() => "");
    let message = `HTTP ${response.status}`;
    try {
      message = (JSON.parse(text) as { Message?: string }).Message ?? message;
    } catch {
      /* keep the status */
    }
    throw new ContentApiRequestError(`Could not read ${cid} from the content store: ${message}`, { code: "CONTENT_NOT_FOUND" });
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Reads and parses a stored JSON document. */
export async function catJson<T>(apiUrl: string, uri: string, signal?: AbortSignal): Promise<T> {
  const bytes = await catContent(apiUrl, uri, signal);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (cause) {
    throw new ContentApiRequestError(`${cidOfUri(uri)} is not a JSON document.`, { code: "CONTENT_NOT_JSON", cause });
  }
}

/** Stores a JSON document and returns its `ipfs://` URI and exact bytes. */
export async function addJson(
  apiUrl: string,
  value: unknown,
  fileName = "document.json",
): Promise<{ uri: string; bytes: Uint8Array; cid: string }> {
  const bytes = new TextEncoder().encode(`${JSON.stringify(value)}\n`);
  const { cid } = await addContent(apiUrl, bytes, fileName);
  return { uri: `ipfs://${cid}`, bytes, cid };
}
