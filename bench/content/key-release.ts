// Key release latency on the local stack: a Hardhat node with the protocol, the content API over
// an embedded store, one key service, a claimed job over a permissioned Datanet with sealed
// contributions. Measures POST /v1/keys (server-side checks: signature through the chain,
// nonce, claim, access at snapshot and now, statuses, header fetch, re-wrap) for one
// contribution and for a batch, and the client's whole round trip (nonce + sign + request).
import { datanetRegistryAbi, generateEncryptionKeyPair, keyRequestMessage, trainingJobsAbi } from "../../sdk/src/index.ts";
import { startStack } from "../../trainer-node/test/helpers/stack.ts";
import { contributeSealed, post, publishKey, records, requesterKey, startKeyService } from "../../key-service/test/helpers/stack.ts";

export type KeyReleaseFigures = {
  singleP50: number;
  singleP95: number;
  roundTripP50: number;
  batchP50: number;
  batchSize: number;
  samples: number;
};

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!;

export async function measureKeyRelease(samples = 50, batchSize = 20): Promise<KeyReleaseFigures> {
  const stack = await startStack();
  const ks = { current: undefined as Awaited<ReturnType<typeof startKeyService>> | undefined };
  try {
    const D = await stack.createDatanet(1, 1);
    ks.current = await startKeyService(stack, D);
    const service = ks.current;
    await publishKey(stack, service);
    const contributor = generateEncryptionKeyPair();
    const ids: bigint[] = [];
    for (let i = 0; i < batchSize; i++)
      ids.push((await contributeSealed(stack, D, service.service.ring.current.publicKey, contributor, records(`bench-${i}`))).id);
    await stack.tx("approver", stack.deployment.contracts.DatanetRegistry.address, datanetRegistryAbi, "acceptContributions", [ids]);
    await stack.grantBySignature(D, 1);
    await stack.admit("trainer");
    const jobId = await stack.createJob([D]);
    await stack.tx("trainer", stack.deployment.contracts.TrainingJobs.address, trainingJobsAbi, "claimJob", [jobId]);
    const me = requesterKey();
    const u = new URL(service.url);
    const wallet = stack.wallets.trainer;

    /** Signs a request for `contributionIds`; returns the body and the time of the POST alone. */
    async function once(contributionIds: bigint[]): Promise<{ server: number; total: number }> {
      const start = performance.now();
      const { nonce } = (await post<{ nonce: string }>(`${service.url}/v1/nonce`, {})).body;
      const message = keyRequestMessage(
        { action: "release", purpose: "train", datanetId: D, jobId, contributionIds, recipientPublicKey: me.hex },
        {
          domain: u.host,
          uri: u.origin,
          chainId: 31337,
          address: wallet.account.address,
          nonce,
          expirationTime: new Date(Date.now() + 60_000),
        },
      );
      const signature = await wallet.signMessage({ message });
      const t = performance.now();
      const answer = await post<{ keys: unknown[] }>(`${service.url}/v1/keys`, { message, signature });
      const end = performance.now();
      if (answer.status !== 200 || answer.body.keys.length !== contributionIds.length)
        throw new Error(`key release failed: ${JSON.stringify(answer.body)}`);
      return { server: end - t, total: end - start };
    }
    // Warm caches (registration records, job Datanets, envelope headers) as a serving service would be.
    await once(ids);
    const single: number[] = [];
    const total: number[] = [];
    const batch: number[] = [];
    for (let i = 0; i < samples; i++) {
      const r = await once([ids[i % ids.length]!]);
      single.push(r.server);
      total.push(r.total);
      batch.push((await once(ids)).server);
    }
    const ms = (v: number) => +v.toFixed(1);
    return {
      singleP50: ms(quantile(single, 0.5)),
      singleP95: ms(quantile(single, 0.95)),
      roundTripP50: ms(quantile(total, 0.5)),
      batchP50: ms(quantile(batch, 0.5)),
      batchSize,
      samples,
    };
  } finally {
    await ks.current?.stop();
    await stack.stop();
  }
}
