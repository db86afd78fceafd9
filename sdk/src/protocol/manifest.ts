// Training manifests: the exact spec and contributions a model was trained on, as an
// OpenZeppelin standard Merkle tree whose root goes on chain with `completeJob`, and the manifest
// document (stored at the model's `manifestURI`) that lists them. Leaves match
// contracts/libraries/Manifest.sol. A model with a training-influence index (see
// training-influence.ts) commits the index file's sha256 as its own leaf.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Address, Hex } from "viem";
import { InvalidInputError } from "../errors.ts";

export const MANIFEST_LEAF_TYPES = ["uint8", "uint256", "bytes32"] as const;
/** Leaf kinds; id is the job id for the spec and the influence index, the contribution id otherwise. */
export const ManifestEntryKind = { Spec: 0, Contribution: 1, InfluenceIndex: 2 } as const;

/** One trained-on contribution. */
export type ManifestContribution = { contributionId: bigint; contentHash: Hex };

/** The manifest document stored in the content store beside the adapter. */
export type TrainingManifest = {
  jobId: bigint;
  specHash: Hex;
  contributions: ManifestContribution[];
  /** sha256 of the training-influence index file (the plaintext's, when it is published sealed). */
  influenceIndexHash?: Hex;
};

type Leaf = [number, bigint, Hex];

const bytes32 = /^0x[0-9a-fA-F]{64}$/;

function leaves(manifest: TrainingManifest): Leaf[] {
  if (!bytes32.test(manifest.specHash)) throw new InvalidInputError(`Invalid spec hash ${manifest.specHash}`);
  const seen = new Set<bigint>();
  const out: Leaf[] = [[ManifestEntryKind.Spec, manifest.jobId, manifest.specHash]];
  for (const c of manifest.contributions) {
    if (!bytes32.test(c.contentHash)) {
      throw new InvalidInputError(`Invalid content hash for contribution ${c.contributionId}: ${c.contentHash}`);
    }
    if (seen.has(c.contributionId)) throw new InvalidInputError(`Contribution ${c.contributionId} appears twice in the manifest.`);
    seen.add(c.contributionId);
    out.push([ManifestEntryKind.Contribution, c.contributionId, c.contentHash]);
  }
  if (manifest.influenceIndexHash !== undefined) {
    if (!bytes32.test(manifest.influenceIndexHash))
      throw new InvalidInputError(`Invalid influence index hash ${manifest.influenceIndexHash}`);
    out.push([ManifestEntryKind.InfluenceIndex, manifest.jobId, manifest.influenceIndexHash]);
  }
  return out;
}

/** The manifest's Merkle tree (leaves sorted by the library, so order of input does not matter). */
export function buildManifestTree(manifest: TrainingManifest): StandardMerkleTree<Leaf> {
  return StandardMerkleTree.of(leaves(manifest), [...MANIFEST_LEAF_TYPES]);
}

/** The root posted on chain by `completeJob`. */
export function manifestRoot(manifest: TrainingManifest): Hex {
  return buildManifestTree(manifest).root as Hex;
}

/** Proof that a contribution is in the manifest, for `TrainingJobs.verifyManifestEntry`. */
export function manifestContributionProof(manifest: TrainingManifest, contributionId: bigint): Hex[] {
  const tree = buildManifestTree(manifest);
  for (const [i, v] of tree.entries()) {
    if (v[0] === ManifestEntryKind.Contribution && BigInt(v[1]) === contributionId) return tree.getProof(i) as Hex[];
  }
  throw new InvalidInputError(`Contribution ${contributionId} is not in the manifest of job ${manifest.jobId}.`);
}

/** Proof that the influence index with the manifest's `influenceIndexHash` is in the manifest. */
export function manifestInfluenceIndexProof(manifest: TrainingManifest): Hex[] {
  if (manifest.influenceIndexHash === undefined)
    throw new InvalidInputError(`The manifest of job ${manifest.jobId} commits no influence index.`);
  return buildManifestTree(manifest).getProof([ManifestEntryKind.InfluenceIndex, manifest.jobId, manifest.influenceIndexHash]) as Hex[];
}

/** Verifies an entry against a root without the tree (what an auditor holds). */
export function verifyManifestEntry(root: Hex, kind: number, id: bigint, contentHash: Hex, proof: Hex[]): boolean {
  return StandardMerkleTree.verify(root, [...MANIFEST_LEAF_TYPES], [kind, id, contentHash], proof);
}

export const MANIFEST_SCHEMA = "modelfactory.manifest/1";

/** One trained-on contribution as the manifest document lists it (bigints as decimal strings). */
export type ManifestDocumentEntry = {
  contributionId: string;
  datanetId: string;
  contentHash: Hex;
  contentId: string;
  contributor: Address;
};

/**
 * The training-manifest document: stored in the content store at the model's `manifestURI`,
 * its `root` equal to the on-chain `manifestRoot`. Anyone recomputes the root from it.
 */
export type TrainingManifestDocument = {
  schema: typeof MANIFEST_SCHEMA;
  jobId: string;
  specURI: string;
  specHash: Hex;
  root: Hex;
  contributions: ManifestDocumentEntry[];
  /**
   * The job this one continued from the checkpoint of (`continueFrom` in the spec, which the root
   * commits to through the spec hash) and that checkpoint's step (the trainer's word). Absent for
   * a job that started from the base model.
   */
  continuedFrom?: { jobId: string; step: number };
  /** The training-influence index built at the end of training; absent when none was built. */
  influenceIndex?: ManifestInfluenceIndex;
};

/**
 * Format of the influence index file the worker writes (safetensors): `/2` holds one feature per
 * sampled training record, grouped by contribution; `/1` (one per contribution) is still read.
 */
export const INFLUENCE_INDEX_FORMAT = "modelfactory.influence/2";
/** Every influence index format a manifest may name, oldest first. */
export const INFLUENCE_INDEX_FORMATS = ["modelfactory.influence/1", INFLUENCE_INDEX_FORMAT] as const;
export type InfluenceIndexFormat = (typeof INFLUENCE_INDEX_FORMATS)[number];

/**
 * The model's training-influence index as the manifest lists it: where it is, the sha256 its leaf
 * commits to (of the plaintext file), and whether the stored object is sealed (an envelope for
 * the same keys as the adapter: the job trained on permissioned data).
 */
export type ManifestInfluenceIndex = {
  format: InfluenceIndexFormat;
  cid: string;
  sha256: Hex;
  sealed: boolean;
  /** Contributions indexed. */
  contributions: number;
  /** Sketch dimensions per row. */
  dim: number;
};

export type BuildManifestDocumentInput = {
  jobId: bigint;
  specURI: string;
  specHash: Hex;
  contributions: readonly { id: bigint; datanetId: bigint; contentHash: Hex; contentId: string; contributor: Address }[];
  continuedFrom?: { jobId: bigint; step: number };
  influenceIndex?: ManifestInfluenceIndex;
};

/** The manifest document of a job, its root computed from the entries. */
export function buildManifestDocument(input: BuildManifestDocumentInput): TrainingManifestDocument {
  const manifest: TrainingManifest = {
    jobId: input.jobId,
    specHash: input.specHash,
    contributions: input.contributions.map((c) => ({ contributionId: c.id, contentHash: c.contentHash })),
    ...(input.influenceIndex ? { influenceIndexHash: input.influenceIndex.sha256 } : {}),
  };
  return {
    schema: MANIFEST_SCHEMA,
    jobId: input.jobId.toString(),
    specURI: input.specURI,
    specHash: input.specHash,
    root: manifestRoot(manifest),
    contributions: input.contributions.map((c) => ({
      contributionId: c.id.toString(),
      datanetId: c.datanetId.toString(),
      contentHash: c.contentHash,
      contentId: c.contentId,
      contributor: c.contributor,
    })),
    ...(input.continuedFrom ? { continuedFrom: { jobId: input.continuedFrom.jobId.toString(), step: input.continuedFrom.step } } : {}),
    ...(input.influenceIndex ? { influenceIndex: { ...input.influenceIndex } } : {}),
  };
}

/** The Merkle-tree form of a manifest document. */
export function manifestOfDocument(doc: TrainingManifestDocument): TrainingManifest {
  return {
    jobId: BigInt(doc.jobId),
    specHash: doc.specHash,
    contributions: doc.contributions.map((c) => ({ contributionId: BigInt(c.contributionId), contentHash: c.contentHash })),
    ...(doc.influenceIndex ? { influenceIndexHash: doc.influenceIndex.sha256 } : {}),
  };
}

/**
 * Checks that an untrusted value (fetched from the content store or a node) is a manifest
 * document whose entries give the root it states, and returns it typed. The error names the
 * first bad field. Compare `root` with the chain's `manifestRoot` yourself.
 */
export function parseManifestDocument(raw: unknown): TrainingManifestDocument {
  const bad = (field: string, rule: string): never => {
    throw new InvalidInputError(`Invalid training manifest: "${field}" ${rule}.`, { code: "MANIFEST_INVALID", meta: { field } });
  };
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== "object" || Array.isArray(o)) bad("manifest", "must be a JSON object");
  if (o.schema !== MANIFEST_SCHEMA) bad("schema", `must be "${MANIFEST_SCHEMA}"`);
  if (typeof o.jobId !== "string" || !DECIMAL.test(o.jobId)) bad("jobId", "must be a decimal string");
  if (typeof o.specURI !== "string") bad("specURI", "must be a string");
  if (typeof o.specHash !== "string" || !bytes32.test(o.specHash)) bad("specHash", "must be 32 bytes of hex");
  if (typeof o.root !== "string" || !bytes32.test(o.root)) bad("root", "must be 32 bytes of hex");
  if (!Array.isArray(o.contributions)) bad("contributions", "must be an array");
  (o.contributions as unknown[]).forEach((raw, i) => {
    const c = raw as Record<string, unknown>;
    const at = `contributions[${i}]`;
    if (!c || typeof c !== "object") bad(at, "must be an object");
    if (typeof c.contributionId !== "string" || !DECIMAL.test(c.contributionId)) bad(`${at}.contributionId`, "must be a decimal string");
    if (typeof c.datanetId !== "string" || !DECIMAL.test(c.datanetId)) bad(`${at}.datanetId`, "must be a decimal string");
    if (typeof c.contentHash !== "string" || !bytes32.test(c.contentHash)) bad(`${at}.contentHash`, "must be 32 bytes of hex");
    if (typeof c.contentId !== "string") bad(`${at}.contentId`, "must be a string");
    if (typeof c.contributor !== "string" || !ADDRESS.test(c.contributor)) bad(`${at}.contributor`, "must be an address");
  });
  if (o.continuedFrom !== undefined) {
    const c = o.continuedFrom as Record<string, unknown>;
    if (!c || typeof c !== "object") bad("continuedFrom", "must be an object");
    if (typeof c.jobId !== "string" || !DECIMAL.test(c.jobId)) bad("continuedFrom.jobId", "must be a decimal string");
    if (typeof c.step !== "number" || !Number.isInteger(c.step) || c.step < 0) bad("continuedFrom.step", "must be a whole number ≥ 0");
  }
  if (o.influenceIndex !== undefined) {
    const x = o.influenceIndex as Record<string, unknown>;
    if (!x || typeof x !== "object" || Array.isArray(x)) bad("influenceIndex", "must be an object");
    if (!INFLUENCE_INDEX_FORMATS.includes(x.format as InfluenceIndexFormat))
      bad("influenceIndex.format", `must be one of ${INFLUENCE_INDEX_FORMATS.map((f) => `"${f}"`).join(", ")}`);
    if (typeof x.cid !== "string" || x.cid.length === 0) bad("influenceIndex.cid", "must be a non-empty string");
    if (typeof x.sha256 !== "string" || !bytes32.test(x.sha256)) bad("influenceIndex.sha256", "must be 32 bytes of hex");
    if (typeof x.sealed !== "boolean") bad("influenceIndex.sealed", "must be true or false");
    if (typeof x.contributions !== "number" || !Number.isInteger(x.contributions) || x.contributions < 1)
      bad("influenceIndex.contributions", "must be a whole number ≥ 1");
    if (typeof x.dim !== "number" || !Number.isInteger(x.dim) || x.dim < 1) bad("influenceIndex.dim", "must be a whole number ≥ 1");
  }
  const doc = raw as TrainingManifestDocument;
  const computed = manifestRoot(manifestOfDocument(doc));
  if (computed.toLowerCase() !== doc.root.toLowerCase()) {
    throw new InvalidInputError(`The manifest's entries give root ${computed}, not the ${doc.root} it states.`, {
      code: "MANIFEST_ROOT_MISMATCH",
      meta: { computed, stated: doc.root },
    });
  }
  return doc;
}

const DECIMAL = /^(0|[1-9][0-9]{0,77})$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
