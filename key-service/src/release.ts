// Re-wrapping: a contribution's data key is unwrapped from its envelope's header (fetched from
// the content store by the contribution's on-chain CID) with whichever key version it was
// sealed for, and wrapped to the requester's public key. Only the header is read; the data key
// is zeroed once wrapped.
import { readEnvelopeHeader, unwrapDataKey, wrapDataKey, type ContentStore, type EnvelopeHeader, type WrappedKey } from "@modelfactory/sdk";
import type { Hex } from "viem";
import type { ContributionRecord } from "./chain.ts";
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

  private async header(r: ContributionRecord): Promise<EnvelopeHeader> {
    const cached = this.headers.get(r.contentId);
    if (cached) return cached;
    let header: EnvelopeHeader;
    try {
      header = await readEnvelopeHeader(this.store.get(r.contentId));
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? "";
      if (code.startsWith("ENVELOPE_")) throw new ApiError(422, "NOT_AN_ENVELOPE", `Contribution ${r.id}'s content ${r.contentId} is not an envelope (${(cause as Error).message.split("\n")[0]}).`);
      throw new ApiError(502, "CONTENT_UNAVAILABLE", `Contribution ${r.id}'s content ${r.contentId} cannot be read from the content store.`, { cause });
    }
    if (this.headers.size >= HEADER_CACHE_LIMIT) this.headers.delete(this.headers.keys().next().value!);
    this.headers.set(r.contentId, header);
    return header;
  }

  /** The data key of `r`, wrapped to `recipient`. */
  async rewrap(r: ContributionRecord, recipient: Hex): Promise<WrappedKey> {
    const header = await this.header(r);
    const entry = header.recipients.map((w) => ({ w, key: this.ring.find(w.publicKey) })).find((x) => x.key);
    if (!entry) throw new ApiError(409, "NOT_SEALED_FOR_DATANET", `Contribution ${r.id} was not sealed for any key of this Datanet.`);
    let dataKey: Uint8Array;
    try {
      dataKey = unwrapDataKey(entry.w, entry.key!.secretKey);
    } catch {
      throw new ApiError(422, "ENVELOPE_AUTH_FAILED", `Contribution ${r.id}'s wrapped data key does not authenticate.`);
    }
    try {
      return wrapDataKey(dataKey, recipient);
    } finally {
      dataKey.fill(0);
    }
  }
}
