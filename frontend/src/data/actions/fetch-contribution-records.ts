// A pending contribution's records, read in the approver's browser: fetched from the content
// store, and for an encrypted one decrypted with its data key, which the Datanet's key service
// releases to an owner or approver ("curate") and re-wraps to a one-time key made here. Either
// way the bytes are checked against the on-chain content hash before anything is shown.
import { bytesToHex, type Hex } from "viem";
import {
  decodeContribution,
  generateEncryptionKeyPair,
  isEnvelope,
  requestDataKeys,
  unwrapDataKey,
  type DatasetRecord,
  type KeyServiceSigner,
} from "@modelfactory/sdk";
import type { AppConfig } from "../../config/app-config.ts";
import { catContent } from "../../lib/content-api.ts";
import { readDatanetKey } from "../../lib/datanet-key.ts";

export type ContributionRecords = { records: DatasetRecord[]; encrypted: boolean };

export async function fetchContributionRecords(
  config: AppConfig,
  c: { id: string; datanetId: string; contentId: string; contentHash: string },
  signer: KeyServiceSigner,
): Promise<ContributionRecords> {
  const bytes = await catContent(config.contentApiUrl, c.contentId);
  const ref = { id: c.id, cid: c.contentId, contentHash: c.contentHash };
  if (!isEnvelope(bytes)) return { records: (await decodeContribution(ref, bytes)).records, encrypted: false };
  const key = await readDatanetKey(config, c.datanetId);
  if (!key) throw new Error(`Contribution #${c.id} is encrypted but Datanet #${c.datanetId} binds no key service on chain.`);
  const recipient = generateEncryptionKeyPair();
  const { keys } = await requestDataKeys(
    key.keyServiceURI,
    { purpose: "curate", datanetId: BigInt(c.datanetId), contributionIds: [BigInt(c.id)], recipientPublicKey: bytesToHex(recipient.publicKey) as Hex },
    signer,
    { chainId: config.chainId },
  );
  const wrapped = keys.find((k) => k.contributionId === c.id);
  if (!wrapped) throw new Error(`The key service released no key for contribution #${c.id}.`);
  const { records } = await decodeContribution({ ...ref, dataKey: unwrapDataKey(wrapped.wrappedKey, recipient.secretKey) }, bytes);
  return { records, encrypted: true };
}
