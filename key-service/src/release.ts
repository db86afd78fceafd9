// Re-wrapping: a contribution's or a sealed model artifact's data key is unwrapped from its
// envelope's header (fetched from the content store by a CID the chain names: the contribution's,
// the model's adapterCID, or the private samples its on-chain report names) with whichever key
// version it was sealed for, and wrapped to the requester's public key. Only the header is read;
// the data key is zeroed once wrapped.
import {
  PRIVATE_SAMPLES_SCHEMA,
  readEnvelopeHeader,
  unwrapDataKey,
  wrapDataKey,
  type ContentStore,
  type EnvelopeHeader,
  type ModelArtifact,
  type WrappedKey,
} from "@modelfactory/sdk";
import { readContent } from "@modelfactory/sdk/node";
import type { Hex } from "viem";
import type { ContributionRecord, ModelRecord } from "./chain.ts";
import { ApiError } from "./errors.ts";
import type { KeyRing } from "./key-ring.ts";

/** Headers by CID: envelopes are immutable, so a header read once is good forever. */
const HEADER_CACHE_LIMIT = 10_000;

export class Rewrapper {
  private readonly headers = new Map<string, EnvelopeHeader>();
  private readonly store: ContentStore;
  private readonly ring: KeyRing;

  constructor(store: ContentStore, ring: KeyRing) {
    this.store = store;
    this.ring = ring;
  }

  /** `subject` names the envelope in errors ("Contribution 4", "Model 2's adapter"). */
  private async header(cid: string, subject: string): Promise<EnvelopeHeader> {
    const cached = this.headers.get(cid);
    if (cached) return cached;
    let header: EnvelopeHeader;
    try {
      header = await readEnvelopeHeader(this.store.get(cid));
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? "";
      if (code.startsWith("ENVELOPE_"))
        throw new ApiError(
          422,
          "NOT_AN_ENVELOPE",
          `${subject}'s content ${cid} is not an envelope (${(cause as Error).message.split("\n")[0]}).`,
        );
      throw new ApiError(502, "CONTENT_UNAVAILABLE", `${subject}'s content ${cid} cannot be read from the content store.`, { cause });
    }
    if (this.headers.size >= HEADER_CACHE_LIMIT) this.headers.delete(this.headers.keys().next().value!);
    this.headers.set(cid, header);
    return header;
  }

  /** The data key of contribution `r`, wrapped to `recipient`. */
  rewrap(r: ContributionRecord, recipient: Hex): Promise<WrappedKey> {
    return this.rewrapEnvelope(r.contentId, `Contribution ${r.id}`, recipient);
  }

  /**
   * The envelope of a model's sealed artifact, located from the chain: the adapter at the model's
   * `adapterCID`; the samples at the `privateSamples.cid` of the report at its `metricsURI`.
   */
  async artifactCid(model: ModelRecord, artifact: ModelArtifact): Promise<string> {
    if (artifact === "adapter") return model.adapterCID;
    const uri = model.metricsURI;
    const cid = uri.startsWith("ipfs://") ? uri.slice("ipfs://".length) : uri;
    if (!/^[A-Za-z0-9]{20,120}$/.test(cid))
      throw new ApiError(422, "NO_PRIVATE_SAMPLES", `Model ${model.id}'s metricsURI "${uri}" is not a content URI.`);
    let report: { privateSamples?: { cid?: unknown; schema?: unknown } };
    try {
      report = JSON.parse(new TextDecoder().decode(await readContent(this.store, cid, { maxBytes: 4 * 1024 * 1024 }))) as typeof report;
    } catch (cause) {
      throw new ApiError(502, "CONTENT_UNAVAILABLE", `Model ${model.id}'s report ${uri} cannot be read as JSON from the content store.`, {
        cause,
      });
    }
    const part = report?.privateSamples;
    if (!part || part.schema !== PRIVATE_SAMPLES_SCHEMA || typeof part.cid !== "string" || !/^[A-Za-z0-9]{20,120}$/.test(part.cid)) {
      throw new ApiError(
        404,
        "NO_PRIVATE_SAMPLES",
        `Model ${model.id}'s report ${uri} names no sealed private samples (privateSamples.cid).`,
      );
    }
    return part.cid;
  }

  /** The data key of the envelope at `cid`, wrapped to `recipient`. */
  async rewrapEnvelope(cid: string, subject: string, recipient: Hex): Promise<WrappedKey> {
    const header = await this.header(cid, subject);
    const entry = header.recipients.map((w) => ({ w, key: this.ring.find(w.publicKey) })).find((x) => x.key);
    if (!entry) throw new ApiError(409, "NOT_SEALED_FOR_DATANET", `${subject} was not sealed for any key of this Datanet.`);
    let dataKey: Uint8Array;
    try {
      dataKey = unwrapDataKey(entry.w, entry.key!.secretKey);
    } catch {
      throw new ApiError(422, "ENVELOPE_AUTH_FAILED", `${subject}'s wrapped data key does not authenticate.`);
    }
    try {
      return wrapDataKey(dataKey, recipient);
    } finally {
      dataKey.fill(0);
    }
  }
}
