// Training manifests: the exact spec and contributions a model was trained on, as an
// OpenZeppelin standard Merkle tree whose root goes on chain with `completeJob`.
// Leaves match contracts/libraries/Manifest.sol.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";
import { InvalidInputError } from "../errors.ts";

export const MANIFEST_LEAF_TYPES = ["uint8", "uint256", "bytes32"] as const;
export const ManifestEntryKind = { Spec: 0, Contribution: 1 } as const;

/** One trained-on contribution. */
export type ManifestContribution = { contributionId: bigint; contentHash: Hex };

/** The manifest document stored in the content store beside the adapter. */
export type TrainingManifest = {
  jobId: bigint;
  specHash: Hex;
  contributions: ManifestContribution[];
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

/** Verifies an entry against a root without the tree (what an auditor holds). */
export function verifyManifestEntry(root: Hex, kind: number, id: bigint, contentHash: Hex, proof: Hex[]): boolean {
  return StandardMerkleTree.verify(root, [...MANIFEST_LEAF_TYPES], [kind, id, contentHash], proof);
}
