// What a job over permissioned data publishes, sealed (sdk/ENVELOPE.md "Sealed model
// artifacts"): the adapter archive and the report's sample answers go to the content store as
// envelopes wrapped to every key the chain binds to one of the job's Datanets (DatanetKeys, read
// from the chain here, never from a key service) and to the builder's key when the spec names
// one. Their key services then release the data key to those the chain allows (purpose "model").
// The rule: a job is sealed when any of its Datanets is permissioned (or any contribution was an
// envelope), whether or not its contributions were encrypted — a contribution registered in the
// clear on a permissioned Datanet, or one made before its owner bound a key, is permissioned data
// all the same. With no key to seal for, the job fails before training.
import {
  AccessPolicy,
  datanetKeysAbi,
  encodePrivateSamples,
  PRIVATE_SAMPLES_SCHEMA,
  newSampleSalts,
  privateSamplesCommitment,
  sealArtifact,
  type EvaluationReport,
} from "@modelfactory/sdk";
import type { ContentStore } from "@modelfactory/sdk/node";
import type { Hex } from "viem";
import type { Chain } from "./chain.ts";
import { JobFailure } from "./errors.ts";

/** The X25519 keys to seal a job's artifacts to: each of its Datanets' bound keys, then the builder's. */
export async function artifactRecipients(
  chain: Chain,
  datanetIds: readonly bigint[],
  builderKey: Hex | undefined,
  permissioned: readonly bigint[] = [],
): Promise<Hex[]> {
  const keys = chain.deployment.contracts.DatanetKeys;
  const bound = keys
    ? await Promise.all(
        datanetIds.map((id) =>
          chain.publicClient.readContract({ address: keys.address, abi: datanetKeysAbi, functionName: "encryptionKey", args: [id] }),
        ),
      )
    : [];
  const out = bound.flatMap(([publicKey, version]) => (version > 0n ? [publicKey.toLowerCase() as Hex] : []));
  if (builderKey && !out.includes(builderKey.toLowerCase() as Hex)) out.push(builderKey.toLowerCase() as Hex);
  if (out.length === 0) {
    const which = permissioned.length
      ? `permissioned Datanet${permissioned.length > 1 ? "s" : ""} ${permissioned.join(", ")}`
      : `the job's Datanets (${datanetIds.join(", ")})`;
    throw new JobFailure(
      "ARTIFACTS_UNSEALABLE",
      `This job trains on ${which}, whose adapter and sample answers are published sealed, but ${keys ? "none of its Datanets binds an encryption key on chain" : "the chain's deployment has no DatanetKeys contract"} and the spec names no builderEncryptionKey: the Datanet's owner binds one (DatanetKeys.setEncryptionKey), or the builder names their key in the spec.`,
    );
  }
  return [...new Set(out)];
}

/** Which of `datanetIds` are permissioned (read from the chain at `blockNumber`). */
export async function permissionedDatanets(chain: Chain, datanetIds: readonly bigint[], blockNumber?: bigint): Promise<bigint[]> {
  const policies = await Promise.all(
    datanetIds.map((d) => chain.contracts.datanets.read.datanetPolicies([d], blockNumber === undefined ? {} : { blockNumber })),
  );
  return datanetIds.filter((_, i) => policies[i]![0] === AccessPolicy.Permissioned);
}

/** How a job's artifacts are sealed: for whom, and because of which Datanets. */
export type ArtifactSealing = { recipients: Hex[]; permissioned: bigint[] };

/**
 * Null for a job whose artifacts are published in the clear (only Datanets open at the snapshot
 * block and now, no envelope);
 * else the recipients to seal them for. Throws JobFailure ARTIFACTS_UNSEALABLE when there is no
 * key to seal for (checked before training, so nothing is trained that could not be published).
 */
export async function artifactSealing(
  chain: Chain,
  datanetIds: readonly bigint[],
  encryptedContributions: number,
  builderKey: Hex | undefined,
  blockNumber?: bigint,
): Promise<ArtifactSealing | null> {
  // Permissioned at the snapshot or now: a Datanet made permissioned after the snapshot gets its data sealed too.
  const [then, now] = await Promise.all([permissionedDatanets(chain, datanetIds, blockNumber), permissionedDatanets(chain, datanetIds)]);
  const permissioned = datanetIds.filter((d) => then.includes(d) || now.includes(d));
  if (permissioned.length === 0 && encryptedContributions === 0) return null;
  return { recipients: await artifactRecipients(chain, datanetIds, builderKey, permissioned), permissioned };
}

/** Seals `bytes` for `recipients`, stores the envelope and returns its CID and the plaintext's SHA-256. */
export async function putSealed(store: ContentStore, bytes: Uint8Array, recipients: readonly Hex[]): Promise<{ cid: string; sha256: Hex }> {
  const sealed = sealArtifact(bytes, { recipients });
  return { cid: (await store.put(sealed.envelope)).toString(), sha256: sealed.sha256 };
}

/**
 * The public report of a job over permissioned data: its numbers, and in place of the samples
 * the CID of their sealed private part and the hashes that part is checked against.
 */
export async function sealReportSamples(
  store: ContentStore,
  report: EvaluationReport,
  recipients: readonly Hex[],
  permissioned: readonly bigint[],
): Promise<EvaluationReport> {
  const samples = encodePrivateSamples({
    schema: PRIVATE_SAMPLES_SCHEMA,
    jobId: report.jobId,
    samples: report.samples,
    sampleSalts: newSampleSalts(report.samples.length),
  });
  const { cid } = await putSealed(store, samples, recipients);
  const source = permissioned.length
    ? `permissioned Datanet${permissioned.length > 1 ? "s" : ""} ${permissioned.join(", ")}`
    : "encrypted contributions";
  return {
    ...report,
    samples: [],
    samplesWithheld: `The job trained on ${source}, so this public report holds no sample prompts, references or answers; they are sealed in its private part, for the builder and holders of train or evaluate access.`,
    privateSamples: {
      cid,
      schema: PRIVATE_SAMPLES_SCHEMA,
      count: report.samples.length,
      ...privateSamplesCommitment(samples, report.jobId),
    },
  };
}
