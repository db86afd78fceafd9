// The key service's HTTP interface, as types shared by the daemon and its clients (trainer
// node, GUI), plus a small fetch client. Narrow on purpose: a nonce, a signed request, wrapped
// keys back; a threshold network answering the same request could stand in for it.
import type { Address, Hex } from "viem";
import { ModelFactoryError } from "../errors.ts";
import type { WrappedKey } from "../crypto/keys.ts";
import {
  keyRequestMessage,
  type KeyReleaseRequest,
  type KeyRequest,
  type KeyRequestEnvelope,
  type ModelArtifact,
  type ModelKeyRequest,
} from "./key-request.ts";

/** `GET /v1/datanets/:id/key`: the key the service holds now, for comparison with the chain. */
export type KeyServiceKeyResponse = { datanetId: string; publicKey: Hex; version: number; versions: { version: number; publicKey: Hex }[] };
/** `POST /v1/nonce` → a single-use nonce and when it lapses (ms since epoch). */
export type KeyServiceNonceResponse = { nonce: string; expiresAt: number };
/** `POST /v1/keys` and `POST /v1/datanets/:id/rotate` take the signed message. */
export type KeyServiceSignedRequest = { message: string; signature: Hex };
/** `POST /v1/keys` → one data key per contribution, wrapped to the request's recipient key. */
export type KeyServiceKeysResponse = { keys: { contributionId: string; wrappedKey: WrappedKey }[] };
/** `POST /v1/keys` with purpose "model" → the sealed artifact's CID (found on chain) and its data key, wrapped to the recipient key. */
export type KeyServiceModelKeyResponse = { modelId: string; artifact: ModelArtifact; cid: string; wrappedKey: WrappedKey };
/** `POST /v1/datanets/:id/rotate` → the new version, to publish with `DatanetKeys.setEncryptionKey`. */
export type KeyServiceRotateResponse = { datanetId: string; version: number; publicKey: Hex };
/** Every refusal: `code` is stable, `message` names the condition that failed. */
export type KeyServiceErrorBody = { error: { code: string; message: string } };

/** A key service refused or could not be reached; `status` is the HTTP status (0: unreachable). */
export class KeyServiceError extends ModelFactoryError {
  override name = "KeyServiceError";
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message, { code });
    this.status = status;
  }
}

export type KeyServiceSigner = { address: Address; signMessage: (args: { message: string }) => Promise<Hex> };

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
  } catch (cause) {
    throw new KeyServiceError(0, "KEY_SERVICE_UNREACHABLE", `Cannot reach the key service at ${url}: ${(cause as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as T & Partial<KeyServiceErrorBody>;
  if (!res.ok)
    throw new KeyServiceError(
      res.status,
      body.error?.code ?? "KEY_SERVICE_ERROR",
      body.error?.message ?? `The key service answered ${res.status}.`,
    );
  return body;
}

/** Asks a nonce, signs the request with `signer` and sends it; returns the parsed answer. */
export async function signedKeyServiceRequest<T>(
  baseUrl: string,
  request: KeyRequest,
  signer: KeyServiceSigner,
  options: { chainId: number; ttlMs?: number },
): Promise<T> {
  const base = new URL(baseUrl);
  const { nonce } = await call<KeyServiceNonceResponse>(new URL("/v1/nonce", base).toString(), { method: "POST", body: "{}" });
  const envelope: KeyRequestEnvelope = {
    domain: base.host,
    uri: base.origin,
    chainId: options.chainId,
    address: signer.address,
    nonce,
    expirationTime: new Date(Date.now() + (options.ttlMs ?? 5 * 60_000)),
  };
  const message = keyRequestMessage(request, envelope);
  const signature = await signer.signMessage({ message });
  const path = request.action === "rotate" ? `/v1/datanets/${request.datanetId}/rotate` : "/v1/keys";
  return call<T>(new URL(path, base).toString(), {
    method: "POST",
    body: JSON.stringify({ message, signature } satisfies KeyServiceSignedRequest),
  });
}

/**
 * Requests data keys for contributions, wrapped to `request.recipientPublicKey`.
 * @example
 * const { keys } = await requestDataKeys(url, { action: "release", purpose: "train", datanetId, jobId, contributionIds, recipientPublicKey }, wallet, { chainId })
 */
export function requestDataKeys(
  baseUrl: string,
  request: Omit<KeyReleaseRequest, "action">,
  signer: KeyServiceSigner,
  options: { chainId: number; ttlMs?: number },
): Promise<KeyServiceKeysResponse> {
  return signedKeyServiceRequest<KeyServiceKeysResponse>(baseUrl, { action: "release", ...request }, signer, options);
}

/**
 * Requests the data key of a sealed model artifact (purpose "model"), wrapped to `request.recipientPublicKey`.
 * @example
 * const { cid, wrappedKey } = await requestModelKey(url, { purpose: "model", datanetId, modelId, artifact: "samples", recipientPublicKey }, wallet, { chainId })
 */
export function requestModelKey(
  baseUrl: string,
  request: Omit<ModelKeyRequest, "action">,
  signer: KeyServiceSigner,
  options: { chainId: number; ttlMs?: number },
): Promise<KeyServiceModelKeyResponse> {
  return signedKeyServiceRequest<KeyServiceModelKeyResponse>(baseUrl, { action: "release", ...request }, signer, options);
}

/** The key a key service holds for a Datanet (compare it with `DatanetKeys.encryptionKey`). */
export function fetchDatanetKey(baseUrl: string, datanetId: bigint): Promise<KeyServiceKeyResponse> {
  return call<KeyServiceKeyResponse>(new URL(`/v1/datanets/${datanetId}/key`, baseUrl).toString());
}
