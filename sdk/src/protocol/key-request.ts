// The signed request a key service (or a threshold network checking the same conditions)
// answers: an EIP-4361 (Sign-In with Ethereum) message whose statement says in words what is
// asked and whose resources say it for machines: action, purpose, Datanet, job or model, the
// contribution ids (or, for purpose "model", the sealed model artifact) and the requester's X25519
// public key. The wallet's signature binds all of them, with the key service's domain and URI,
// the chain, a single-use nonce and an expiry.
import { isHex, type Address, type Hex } from "viem";
import { createSiweMessage, parseSiweMessage, type SiweMessage } from "viem/siwe";
import { InvalidInputError } from "../errors.ts";

/**
 * Why a requester wants a data key; each has its own on-chain condition. The first four are for
 * contributions; "model" is for a sealed model artifact (an adapter, a report's private samples).
 */
export const KEY_PURPOSES = ["train", "retrieve", "curate", "own", "model"] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];
export type ContributionKeyPurpose = Exclude<KeyPurpose, "model">;

/** The sealed artifacts of a model trained on permissioned data (sdk/ENVELOPE.md "Sealed model artifacts"). */
export const MODEL_ARTIFACTS = ["adapter", "samples"] as const;
export type ModelArtifact = (typeof MODEL_ARTIFACTS)[number];

/** Most contributions one request may name (a trainer asks once per job). */
export const MAX_KEY_REQUEST_CONTRIBUTIONS = 500;

/** A request for contributions' data keys, wrapped to `recipientPublicKey`. */
export type KeyReleaseRequest = {
  action: "release";
  purpose: ContributionKeyPurpose;
  datanetId: bigint;
  contributionIds: readonly bigint[];
  /** The job (purpose "train") or the model (purpose "retrieve"); absent otherwise. */
  jobId?: bigint;
  modelId?: bigint;
  /** The requester's X25519 public key (32 bytes hex): the released keys are wrapped to it. */
  recipientPublicKey: Hex;
};

/**
 * A request for the data key of a sealed model artifact, wrapped to `recipientPublicKey`. The key
 * service finds the artifact's envelope from the chain (the model's `adapterCID`, or the private
 * samples its report at `metricsURI` names); the request names no CID, so it cannot be pointed
 * at another envelope.
 */
export type ModelKeyRequest = {
  action: "release";
  purpose: "model";
  /** The Datanet whose key service is asked (one of the model's Datanets). */
  datanetId: bigint;
  modelId: bigint;
  artifact: ModelArtifact;
  /** The requester's X25519 public key (32 bytes hex): the released key is wrapped to it. */
  recipientPublicKey: Hex;
};

/** The owner's request for a new key version of their Datanet. */
export type KeyRotationRequest = { action: "rotate"; datanetId: bigint };

export type KeyRequest = KeyReleaseRequest | ModelKeyRequest | KeyRotationRequest;

/** Where and when a message is valid: the SIWE fields that are not the request itself. */
export type KeyRequestEnvelope = {
  /** The key service's host (and port), e.g. `keys.example.org` or `127.0.0.1:8790`. */
  domain: string;
  /** The key service's base URL. */
  uri: string;
  chainId: number;
  address: Address;
  nonce: string;
  issuedAt?: Date;
  expirationTime: Date;
};

const URN = "urn:modelfactory:key-request:";

/** Thrown when a message is not a well-formed key request. */
export class KeyRequestError extends InvalidInputError {
  override name = "KeyRequestError";
  constructor(message: string) {
    super(message, { code: "KEY_REQUEST_MALFORMED" });
  }
}

const ARTIFACT_WORDS: Record<ModelArtifact, string> = { adapter: "adapter", samples: "private evaluation samples" };

function statement(r: KeyRequest): string {
  if (r.action === "rotate") return `Rotate the encryption key of ModelFactory Datanet ${r.datanetId}.`;
  if (r.purpose === "model")
    return `Release the data key of ModelFactory model ${r.modelId}'s ${ARTIFACT_WORDS[r.artifact]}, sealed for Datanet ${r.datanetId}.`;
  const subject =
    r.purpose === "train"
      ? ` to train job ${r.jobId}`
      : r.purpose === "retrieve"
        ? ` for retrieval by model ${r.modelId}`
        : r.purpose === "curate"
          ? " to curate"
          : " as their contributor";
  const n = r.contributionIds.length;
  return `Release the data key${n === 1 ? "" : "s"} of ModelFactory contribution${n === 1 ? "" : "s"} ${r.contributionIds.join(", ")} of Datanet ${r.datanetId}${subject}.`;
}

function resources(r: KeyRequest): string[] {
  const out = [`${URN}action:${r.action}`, `${URN}datanet:${r.datanetId}`];
  if (r.action === "rotate") return out;
  out.push(`${URN}purpose:${r.purpose}`);
  if (r.purpose === "model") {
    out.push(`${URN}model:${r.modelId}`, `${URN}artifact:${r.artifact}`, `${URN}recipient:${r.recipientPublicKey.toLowerCase()}`);
    return out;
  }
  if (r.jobId !== undefined) out.push(`${URN}job:${r.jobId}`);
  if (r.modelId !== undefined) out.push(`${URN}model:${r.modelId}`);
  out.push(`${URN}contributions:${r.contributionIds.join(",")}`, `${URN}recipient:${r.recipientPublicKey.toLowerCase()}`);
  return out;
}

function check(r: KeyRequest): void {
  if (r.datanetId <= 0n) throw new KeyRequestError("A key request names a Datanet id of 1 or more.");
  if (r.action === "rotate") return;
  if (!KEY_PURPOSES.includes(r.purpose)) throw new KeyRequestError(`Unknown purpose "${r.purpose}"; one of ${KEY_PURPOSES.join(", ")}.`);
  if (!isHex(r.recipientPublicKey) || r.recipientPublicKey.length !== 66)
    throw new KeyRequestError("The recipient key must be a 32-byte X25519 public key in hex.");
  if (r.purpose === "model") {
    if (typeof r.modelId !== "bigint" || r.modelId <= 0n) throw new KeyRequestError('Purpose "model" names a model id of 1 or more.');
    if (!MODEL_ARTIFACTS.includes(r.artifact))
      throw new KeyRequestError(`Unknown model artifact "${r.artifact}"; one of ${MODEL_ARTIFACTS.join(", ")}.`);
    const extra = r as unknown as Record<string, unknown>;
    if (extra.contributionIds !== undefined || extra.jobId !== undefined)
      throw new KeyRequestError('Purpose "model" names a model and an artifact, no job or contributions.');
    return;
  }
  const n = r.contributionIds.length;
  if (n === 0 || n > MAX_KEY_REQUEST_CONTRIBUTIONS)
    throw new KeyRequestError(`A key request names 1 to ${MAX_KEY_REQUEST_CONTRIBUTIONS} contributions, not ${n}.`);
  if (new Set(r.contributionIds).size !== n || r.contributionIds.some((id) => id <= 0n))
    throw new KeyRequestError("Contribution ids must be distinct and 1 or more.");
  if ((r.purpose === "train") !== (r.jobId !== undefined))
    throw new KeyRequestError('A job id goes with purpose "train", and only with it.');
  if ((r.purpose === "retrieve") !== (r.modelId !== undefined))
    throw new KeyRequestError('A model id goes with purpose "retrieve" (or "model"), and only with it.');
  if ((r as unknown as Record<string, unknown>).artifact !== undefined)
    throw new KeyRequestError('An artifact goes with purpose "model", and only with it.');
}

/**
 * The EIP-4361 message the requester's wallet signs.
 * @example
 * const message = keyRequestMessage({ action: "release", purpose: "train", datanetId: 3n, jobId: 7n, contributionIds: [4n, 5n], recipientPublicKey },
 *   { domain: "127.0.0.1:8790", uri: "http://127.0.0.1:8790", chainId: 31337, address, nonce, expirationTime: new Date(Date.now() + 300_000) })
 * const signature = await wallet.signMessage({ message })
 */
export function keyRequestMessage(request: KeyRequest, envelope: KeyRequestEnvelope): string {
  check(request);
  return createSiweMessage({
    domain: envelope.domain,
    address: envelope.address,
    statement: statement(request),
    uri: envelope.uri,
    version: "1",
    chainId: envelope.chainId,
    nonce: envelope.nonce,
    issuedAt: envelope.issuedAt ?? new Date(),
    expirationTime: envelope.expirationTime,
    resources: resources(request),
  });
}

const id = (value: string, what: string): bigint => {
  if (!/^[1-9][0-9]{0,77}$/.test(value)) throw new KeyRequestError(`The ${what} "${value}" is not an id.`);
  return BigInt(value);
};

/**
 * Reads a key request back from a message (the statement must be the one its resources give,
 * so what the wallet showed in words is what is checked). Signature, nonce, domain and time are
 * the verifier's to check, with `fields`.
 */
export function parseKeyRequestMessage(message: string): { request: KeyRequest; fields: Partial<SiweMessage> } {
  if (typeof message !== "string" || message.length > 16_384)
    throw new KeyRequestError("A key request message is a string of at most 16 KiB.");
  const fields = parseSiweMessage(message);
  const values = new Map<string, string>();
  for (const r of fields.resources ?? []) {
    if (!r.startsWith(URN)) throw new KeyRequestError(`Unknown resource ${r}.`);
    const [key, ...rest] = r.slice(URN.length).split(":");
    if (values.has(key!)) throw new KeyRequestError(`The resource ${key} appears twice.`);
    values.set(key!, rest.join(":"));
  }
  const action = values.get("action");
  const datanetId = id(values.get("datanet") ?? "", "Datanet id");
  let request: KeyRequest;
  if (action === "rotate") {
    if (values.size !== 2) throw new KeyRequestError("A rotation request names only its Datanet.");
    request = { action, datanetId };
  } else if (action === "release" && values.get("purpose") === "model") {
    const recipient = values.get("recipient");
    if (!values.has("model") || !values.has("artifact") || !recipient)
      throw new KeyRequestError('A "model" release request names its model, artifact and recipient key.');
    const known = new Set(["action", "datanet", "purpose", "model", "artifact", "recipient"]);
    for (const k of values.keys()) if (!known.has(k)) throw new KeyRequestError(`Unknown resource ${k} in a "model" release request.`);
    request = {
      action,
      purpose: "model",
      datanetId,
      modelId: id(values.get("model")!, "model id"),
      artifact: values.get("artifact") as ModelArtifact,
      recipientPublicKey: recipient as Hex,
    };
  } else if (action === "release") {
    const purpose = values.get("purpose") as ContributionKeyPurpose;
    const contributions = values.get("contributions");
    const recipient = values.get("recipient");
    if (!contributions || !recipient) throw new KeyRequestError("A release request names its contributions and recipient key.");
    const known = new Set(["action", "datanet", "purpose", "job", "model", "contributions", "recipient"]);
    for (const k of values.keys()) if (!known.has(k)) throw new KeyRequestError(`Unknown resource ${k}.`);
    request = {
      action,
      purpose,
      datanetId,
      contributionIds: contributions.split(",").map((c) => id(c, "contribution id")),
      ...(values.has("job") ? { jobId: id(values.get("job")!, "job id") } : {}),
      ...(values.has("model") ? { modelId: id(values.get("model")!, "model id") } : {}),
      recipientPublicKey: recipient as Hex,
    };
  } else {
    throw new KeyRequestError(`Unknown action "${action}"; "release" or "rotate".`);
  }
  check(request);
  if (fields.statement !== statement(request)) throw new KeyRequestError("The message's statement does not say what its resources ask.");
  return { request, fields };
}

/** Why a caller may not have a sealed model artifact: a stable code and a sentence naming the failed condition. */
export type ModelArtifactRefusal = { code: "NOT_MODEL_BUILDER_OR_HOLDER"; message: string };

/**
 * The one rule for a sealed model artifact (its data key from a key service, or its download from
 * a trainer node): the model's builder, or whoever holds train or evaluate access now on every
 * Datanet of the model's job. `access[i]` is whether `caller` holds train or evaluate access to
 * `datanetIds[i]` at the moment checked. Returns undefined when allowed.
 */
export function modelArtifactRefusal(input: {
  caller: Address;
  modelId: bigint;
  builder: Address;
  datanetIds: readonly bigint[];
  access: readonly boolean[];
}): ModelArtifactRefusal | undefined {
  if (input.caller.toLowerCase() === input.builder.toLowerCase()) return undefined;
  const missing = input.datanetIds.filter((_, i) => !input.access[i]);
  if (missing.length === 0) return undefined;
  const list = (ids: readonly bigint[]) => `Datanet${ids.length > 1 ? "s" : ""} ${ids.join(", ")}`;
  return {
    code: "NOT_MODEL_BUILDER_OR_HOLDER",
    message: `${input.caller} is not model ${input.modelId}'s builder (${input.builder}) and holds no train or evaluate access to ${list(missing)}; the model was trained on ${list(input.datanetIds)}, and its sealed artifacts are for its builder and for holders of train or evaluate access to all of them.`,
  };
}
