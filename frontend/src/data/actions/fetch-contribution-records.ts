// A pending contribution's records, read in the approver's browser, and the fingerprints of the
// Datanet's accepted records to flag its duplicates: both fetched from the content store, and
// for encrypted ones decrypted with data keys the Datanet's key service releases to an owner or
// approver ("curate"), re-wrapped to a one-time key made here — one signed request for all of
// them. Every contribution's bytes are checked against its on-chain content hash before use;
// of accepted records only SHA-256 fingerprints are kept (pages/access/accepted-fingerprints.ts).
import { bytesToHex, type Hex } from "viem";
import {
  decodeContribution,
  describeError,
  generateEncryptionKeyPair,
  isEnvelope,
  MAX_KEY_REQUEST_CONTRIBUTIONS,
  requestDataKeys,
  unwrapDataKey,
  type DatasetRecord,
  type KeyServiceSigner,
} from "@modelfactory/sdk";
import type { AppConfig } from "../../config/app-config.ts";
import { catContent } from "../../lib/content-api.ts";
import { readDatanetKey } from "../../lib/datanet-key.ts";
import {
  addAccepted,
  byteCapNote,
  contributionCapNote,
  emptyFingerprints,
  MAX_ACCEPTED_BYTES,
  MAX_ACCEPTED_CONTRIBUTIONS,
  type AcceptedFingerprints,
} from "../../pages/access/accepted-fingerprints.ts";
import { fetchContributions } from "./fetch-contributions.ts";

export type ContributionRecords = { records: DatasetRecord[]; encrypted: boolean; accepted: AcceptedFingerprints };

type Ref = { id: string; contentId: string; contentHash: string };

export async function fetchContributionRecords(
  config: AppConfig,
  c: Ref & { datanetId: string },
  signer: KeyServiceSigner,
): Promise<ContributionRecords> {
  const pending = await catContent(config.contentApiUrl, c.contentId);
  const accepted = emptyFingerprints();
  const listed = (await fetchContributions(config, { datanet: c.datanetId, status: "Accepted" }, MAX_ACCEPTED_CONTRIBUTIONS + 1)).filter(
    (a) => a.id !== c.id,
  );
  accepted.limit = contributionCapNote(listed.length);
  const stored: { ref: Ref; bytes: Uint8Array }[] = [];
  let read = pending.byteLength;
  for (const [i, a] of listed.slice(0, MAX_ACCEPTED_CONTRIBUTIONS).entries()) {
    const bytes = await catContent(config.contentApiUrl, a.contentId);
    if (read + bytes.byteLength > MAX_ACCEPTED_BYTES) {
      accepted.limit = byteCapNote(read - pending.byteLength, Math.min(listed.length, MAX_ACCEPTED_CONTRIBUTIONS) - i);
      break;
    }
    read += bytes.byteLength;
    stored.push({ ref: a, bytes });
  }

  const sealed = [...(isEnvelope(pending) ? [c.id] : []), ...stored.filter((s) => isEnvelope(s.bytes)).map((s) => s.ref.id)];
  const keys = sealed.length
    ? await curateKeys(config, c.datanetId, sealed.slice(0, MAX_KEY_REQUEST_CONTRIBUTIONS), signer)
    : new Map<string, Uint8Array>();
  const open = async (ref: Ref, bytes: Uint8Array) => {
    const dataKey = keys.get(ref.id);
    if (isEnvelope(bytes) && !dataKey) throw new Error(`The key service released no key for contribution #${ref.id}.`);
    return (
      await decodeContribution({ id: ref.id, cid: ref.contentId, contentHash: ref.contentHash, ...(dataKey ? { dataKey } : {}) }, bytes)
    ).records;
  };
  const records = await open(c, pending);
  const unreadable: string[] = [];
  for (const s of stored) {
    try {
      addAccepted(accepted, await open(s.ref, s.bytes));
    } catch (error) {
      unreadable.push(`#${s.ref.id} (${describeError(error)})`);
    }
  }
  if (unreadable.length)
    accepted.limit = `${accepted.limit ? `${accepted.limit} ` : ""}Not compared, unreadable: ${unreadable.join("; ")}.`;
  return { records, encrypted: isEnvelope(pending), accepted };
}

/** The data keys of `ids`, released by the Datanet's key service for curation and unwrapped here. */
async function curateKeys(config: AppConfig, datanetId: string, ids: string[], signer: KeyServiceSigner): Promise<Map<string, Uint8Array>> {
  const key = await readDatanetKey(config, datanetId);
  if (!key) throw new Error(`Contribution #${ids[0]} is encrypted but Datanet #${datanetId} binds no key service on chain.`);
  const recipient = generateEncryptionKeyPair();
  const { keys } = await requestDataKeys(
    key.keyServiceURI,
    {
      purpose: "curate",
      datanetId: BigInt(datanetId),
      contributionIds: ids.map(BigInt),
      recipientPublicKey: bytesToHex(recipient.publicKey) as Hex,
    },
    signer,
    { chainId: config.chainId },
  );
  return new Map(keys.map((k) => [k.contributionId, unwrapDataKey(k.wrappedKey, recipient.secretKey)]));
}
