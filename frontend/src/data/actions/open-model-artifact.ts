// A sealed model artifact (adapter or private evaluation samples of a model trained on
// permissioned data), opened in this browser: the envelope comes from the content store; its data
// key from the builder's wallet-derived key when the envelope lists it, otherwise from one of the
// model's Datanets' key services (purpose "model"), which release it only to the builder or to
// holders of train or evaluate access to all the model's Datanets. The adapter's bytes are checked
// against the adapter hash read from the chain itself, not from the index.
import { bytesToHex, createPublicClient, http, type Address, type Hex } from "viem";
import {
  generateEncryptionKeyPair,
  isEnvelope,
  openArtifact,
  readEnvelopeHeader,
  requestModelKey,
  unwrapDataKey,
  type EncryptionKeyPair,
  type KeyServiceSigner,
  type ModelArtifact,
} from "@modelfactory/sdk";
import type { AppConfig } from "../../config/app-config.ts";
import { catContent } from "../../lib/content-api.ts";
import { contract } from "../../lib/contracts.ts";
import { readDatanetKey } from "../../lib/datanet-key.ts";

export type SealedModel = { id: string; builder: string; datanetIds: string[] };
export type OpenedArtifact = { bytes: Uint8Array; via: string };
export type ArtifactWallet = { address: Address; signer: KeyServiceSigner; encryptionKey: () => Promise<EncryptionKeyPair> };

/** The model's adapter hash as the chain records it. */
export async function onChainAdapterHash(config: AppConfig, modelId: string): Promise<Hex> {
  const client = createPublicClient({ transport: http(config.rpcUrl) });
  const [, , adapterHash] = (await client.readContract({
    ...contract(config, "TrainingJobs"),
    functionName: "getModel",
    args: [BigInt(modelId)],
  })) as readonly [bigint, Hex, Hex];
  return adapterHash;
}

export async function openModelArtifact(
  config: AppConfig,
  model: SealedModel,
  artifact: ModelArtifact,
  cid: string,
  wallet: ArtifactWallet,
): Promise<OpenedArtifact> {
  const sha256 = artifact === "adapter" ? await onChainAdapterHash(config, model.id) : undefined;
  const envelope = await catContent(config.contentApiUrl, cid);
  if (!isEnvelope(envelope))
    throw new Error(`Model #${model.id}'s ${artifact} at ${cid} is not sealed; it should not be read through this path.`);
  const header = await readEnvelopeHeader([envelope]);
  const listed = new Set(header.recipients.map((r) => r.publicKey.toLowerCase()));
  // The builder's own key opens it without a key service, when the spec named that key.
  if (wallet.address.toLowerCase() === model.builder.toLowerCase()) {
    const mine = await wallet.encryptionKey();
    if (listed.has(bytesToHex(mine.publicKey)))
      return { bytes: await openArtifact([envelope], { secretKey: mine.secretKey }, { sha256 }), via: "your wallet's encryption key" };
  }
  // Otherwise a key service of one of the model's Datanets whose key the envelope lists.
  const refusals: string[] = [];
  for (const datanetId of model.datanetIds) {
    const key = await readDatanetKey(config, datanetId);
    if (!key || !listed.has(key.publicKey.toLowerCase())) continue;
    const oneTime = generateEncryptionKeyPair();
    try {
      const answer = await requestModelKey(
        key.keyServiceURI,
        {
          purpose: "model",
          datanetId: BigInt(datanetId),
          modelId: BigInt(model.id),
          artifact,
          recipientPublicKey: bytesToHex(oneTime.publicKey),
        },
        wallet.signer,
        { chainId: config.chainId },
      );
      // The key service located the envelope from the chain: it must be the one read here.
      if (answer.cid !== cid) throw new Error(`The key service of Datanet #${datanetId} released the key of ${answer.cid}, not of ${cid}.`);
      const bytes = await openArtifact([envelope], { dataKey: unwrapDataKey(answer.wrappedKey, oneTime.secretKey) }, { sha256 });
      return { bytes, via: `the key service of Datanet #${datanetId}` };
    } catch (error) {
      refusals.push(`Datanet #${datanetId}: ${(error as Error).message}`);
    }
  }
  if (refusals.length) throw new Error(`No key service released model #${model.id}'s ${artifact}. ${refusals.join(" ")}`);
  throw new Error(
    `Model #${model.id}'s ${artifact} is sealed for none of its Datanets' current keys${wallet.address.toLowerCase() === model.builder.toLowerCase() ? " nor your wallet's key" : ""}.`,
  );
}
