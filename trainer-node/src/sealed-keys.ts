// Data keys of sealed contributions (permissioned Datanets, sdk/ENVELOPE.md), for a job this
// node trains or a model it serves: for each Datanet the node reads its key service's URL from
// `DatanetKeys` on chain, asks it — signed by the operator's wallet, for purpose "train" (a job)
// or "retrieve" (a model) — to wrap the data keys to a one-time X25519 key, and unwraps them in
// memory. Nothing here is written to disk or
// logged; the key service decides from the chain whether this node may have them now.
import {
  datanetKeysAbi,
  describeError,
  generateEncryptionKeyPair,
  KeyServiceError,
  MAX_KEY_REQUEST_CONTRIBUTIONS,
  requestDataKeys,
  unwrapDataKey,
} from "@modelfactory/sdk";
import { bytesToHex, type Hex } from "viem";
import type { Chain } from "./chain.ts";
import { JobFailure } from "./errors.ts";

export type SealedContributionRef = { id: bigint; datanetId: bigint };

/** Where a Datanet's key service is, as its owner bound it on chain. */
export async function datanetKeyService(chain: Chain, datanetId: bigint): Promise<{ url: string; publicKey: Hex; version: bigint }> {
  const keys = chain.deployment.contracts.DatanetKeys;
  if (!keys) {
    throw new JobFailure(
      "KEY_SERVICE_UNKNOWN",
      `Datanet ${datanetId}'s contributions are encrypted, but this chain's deployment has no DatanetKeys contract naming its key service.`,
    );
  }
  const [publicKey, version, url] = await chain.publicClient.readContract({
    address: keys.address,
    abi: datanetKeysAbi,
    functionName: "encryptionKey",
    args: [datanetId],
  });
  if (version === 0n || !url)
    throw new JobFailure(
      "KEY_SERVICE_UNKNOWN",
      `Datanet ${datanetId}'s contributions are encrypted, but its owner has bound no key service on chain.`,
    );
  return { url, publicKey, version };
}

/** Why the node asks: to train a job it holds the claim of, or to retrieve for a model it registered. */
export type KeyUse = { purpose: "train"; jobId: bigint } | { purpose: "retrieve"; modelId: bigint };

/**
 * Releases the data keys of `sealed` for `use`; throws a JobFailure naming the Datanet and the
 * key service's reason when it refuses (a job then fails on chain with that reason).
 */
export async function releaseDataKeys(
  chain: Chain,
  use: KeyUse,
  sealed: readonly SealedContributionRef[],
): Promise<Map<bigint, Uint8Array>> {
  const byDatanet = new Map<bigint, bigint[]>();
  for (const c of sealed) byDatanet.set(c.datanetId, [...(byDatanet.get(c.datanetId) ?? []), c.id]);
  const recipient = generateEncryptionKeyPair();
  const out = new Map<bigint, Uint8Array>();
  for (const [datanetId, ids] of byDatanet) {
    const service = await datanetKeyService(chain, datanetId);
    for (let i = 0; i < ids.length; i += MAX_KEY_REQUEST_CONTRIBUTIONS) {
      const batch = ids.slice(i, i + MAX_KEY_REQUEST_CONTRIBUTIONS);
      let keys;
      try {
        ({ keys } = await requestDataKeys(
          service.url,
          { ...use, datanetId, contributionIds: batch, recipientPublicKey: bytesToHex(recipient.publicKey) },
          chain.account,
          { chainId: chain.chainId },
        ));
      } catch (error) {
        const code = error instanceof KeyServiceError && error.status === 0 ? "KEY_SERVICE_UNREACHABLE" : "KEY_REFUSED";
        throw new JobFailure(
          code,
          `The key service of Datanet ${datanetId} (${service.url}) did not release its contributions' keys: ${describeError(error)}`,
          { cause: error },
        );
      }
      for (const k of keys) out.set(BigInt(k.contributionId), unwrapDataKey(k.wrappedKey, recipient.secretKey));
      const missing = batch.filter((id) => !out.has(id));
      if (missing.length)
        throw new JobFailure(
          "KEY_REFUSED",
          `The key service of Datanet ${datanetId} released no key for contribution(s) ${missing.join(", ")}.`,
        );
    }
  }
  return out;
}
