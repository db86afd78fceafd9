// What a job over permissioned data publishes, sealed (sdk/ENVELOPE.md "Sealed model
// artifacts"): the adapter archive and the report's sample answers go to the content store as
// envelopes wrapped to every key the chain binds to one of the job's Datanets (DatanetKeys, read
// from the chain here, never from a key service) and to the builder's key when the spec names
// one. Their key services then release the data key to those the chain allows (purpose "model").
import {
  datanetKeysAbi,
  encodePrivateSamples,
  PRIVATE_SAMPLES_SCHEMA,
  sealArtifact,
  type EvaluationReport,
} from "@modelfactory/sdk";
import type { ContentStore } from "@modelfactory/sdk/node";
import type { Hex } from "viem";
import type { Chain } from "./chain.ts";
import { JobFailure } from "./errors.ts";

/** The X25519 keys to seal a job's artifacts to: each of its Datanets' bound keys, then the builder's. */
export async function artifactRecipients(chain: Chain, datanetIds: readonly bigint[], builderKey: Hex | undefined): Promise<Hex[]> {
  const keys = chain.deployment.contracts.DatanetKeys;
  if (!keys) throw new JobFailure("KEY_SERVICE_UNKNOWN", "This job trained on encrypted data, but the chain's deployment has no DatanetKeys contract to seal its adapter for.");
  const bound = await Promise.all(
    datanetIds.map((id) => chain.publicClient.readContract({ address: keys.address, abi: datanetKeysAbi, functionName: "encryptionKey", args: [id] })),
  );
  const out = bound.flatMap(([publicKey, version]) => (version > 0n ? [publicKey.toLowerCase() as Hex] : []));
  if (out.length === 0) throw new JobFailure("KEY_SERVICE_UNKNOWN", `None of the job's Datanets (${datanetIds.join(", ")}) binds an encryption key on chain, so its adapter cannot be sealed.`);
  if (builderKey && !out.includes(builderKey.toLowerCase() as Hex)) out.push(builderKey.toLowerCase() as Hex);
  return [...new Set(out)];
}

/** Seals `bytes` for `recipients`, stores the envelope and returns its CID and the plaintext's SHA-256. */
export async function putSealed(store: ContentStore, bytes: Uint8Array, recipients: readonly Hex[]): Promise<{ cid: string; sha256: Hex }> {
  const sealed = sealArtifact(bytes, { recipients });
  return { cid: (await store.put(sealed.envelope)).toString(), sha256: sealed.sha256 };
}

/**
 * The public report of a job over permissioned data: its numbers, and in place of the samples
 * the CID of their sealed private part.
 */
export async function sealReportSamples(store: ContentStore, report: EvaluationReport, recipients: readonly Hex[], sealedContributions: number): Promise<EvaluationReport> {
  const samples = encodePrivateSamples({ schema: PRIVATE_SAMPLES_SCHEMA, jobId: report.jobId, samples: report.samples });
  const { cid } = await putSealed(store, samples, recipients);
  return {
    ...report,
    samples: [],
    samplesWithheld: `The held-out records include ${sealedContributions > 1 ? "contributions" : "a contribution"} of a permissioned Datanet, so this public report holds no sample prompts, references or answers; they are sealed in its private part, for the builder and holders of train or evaluate access.`,
    privateSamples: { cid, schema: PRIVATE_SAMPLES_SCHEMA, count: report.samples.length },
  };
}
