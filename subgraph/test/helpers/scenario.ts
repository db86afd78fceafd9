// A protocol history that touches every event: Datanets, contributions and their review,
// access requests, grants by transaction and by EIP-712 signature, revocation, trainers,
// jobs through every state, a model and an attribution batch with packed citations.
import { encodeAbiParameters, keccak256, stringToHex, type Address, type Hex } from "viem";
import { accessGrantTypedData } from "@modelfactory/sdk";
import type { Protocol } from "./chain.ts";

export const hash = (s: string): Hex => keccak256(stringToHex(s));

/** A one-entry training manifest listing contribution 999, which was never registered: its
 * root is the leaf itself (OpenZeppelin standard leaf), so the empty proof proves it. */
export const FLAWED_MANIFEST_ROOT = keccak256(
  keccak256(encodeAbiParameters([{ type: "uint8" }, { type: "uint256" }, { type: "bytes32" }], [1, 999n, hash("c999")])),
);

/** Packs receipts as AttributionLedger expects: per receipt a header (bytes6 key, uint8
 * retrieval count, uint8 training count), then its retrieval and then its training (uint48
 * contribution id, uint16 weight) citations. */
export function pack(receipts: [string, [number, number][], [number, number][]?][]): Hex {
  const word = (a: string, b: number) => a.padStart(12, "0") + b.toString(16).padStart(4, "0");
  const cite = (cs: [number, number][]) => cs.map(([id, w]) => word(id.toString(16), w)).join("");
  return `0x${receipts.map(([key, rs, ts = []]) => word(key, (rs.length << 8) | ts.length) + cite(rs) + cite(ts)).join("")}`;
}

export type Actors = { admin: Address; alice: Address; bob: Address; carol: Address; dave: Address; trainer: Address; erin: Address };

export function actors(p: Protocol): Actors {
  const [admin, alice, bob, carol, dave, trainer, erin] = p.accounts as Address[];
  return { admin: admin!, alice: alice!, bob: bob!, carol: carol!, dave: dave!, trainer: trainer!, erin: erin! };
}

/** Two receipts (keys are receipt ids' first 6 bytes): retrieval citations of contributions 1, 4
 * and 1, 2; the second also shaped by training on contributions 4 and 1. */
export const RECEIPTS: [string, [number, number][], [number, number][]?][] = [
  [
    "a1a2a3a4a5a6",
    [
      [1, 6000],
      [4, 4000],
    ],
  ],
  [
    "b1b2b3b4b5b6",
    [
      [1, 2500],
      [2, 100],
    ],
    [
      [4, 3000],
      [1, 500],
    ],
  ],
];

export async function runScenario(p: Protocol): Promise<Actors> {
  const a = actors(p);
  const far = BigInt(Math.floor(Date.now() / 1000) + 10_000_000);
  const send = p.send;
  await send(a.alice, "DatanetRegistry", "createDatanet", ["ipfs://d1", "MIT", 1, 1]);
  await send(a.alice, "DatanetRegistry", "createDatanet", ["ipfs://d2", "CC-BY-4.0", 0, 0]);
  await send(a.alice, "DatanetRegistry", "addApprover", [1n, a.carol]);
  await send(a.alice, "DatanetRegistry", "updateMetadata", [1n, "ipfs://d1v2", "Apache-2.0"]);
  await send(a.bob, "DatanetRegistry", "contribute", [1n, hash("c1"), "bafyc1", "ipfs://m1"]);
  await send(a.bob, "DatanetRegistry", "contribute", [1n, hash("c2"), "bafyc2", "ipfs://m2"]);
  await send(a.erin, "DatanetRegistry", "contribute", [1n, hash("c3"), "bafyc3", "ipfs://m3"]);
  await send(a.bob, "DatanetRegistry", "contribute", [2n, hash("c4"), "bafyc4", "ipfs://m4"]);
  await send(a.carol, "DatanetRegistry", "acceptContributions", [[1n, 3n]]);
  await send(a.carol, "DatanetRegistry", "rejectContributions", [[2n], "duplicate"]);
  await send(a.erin, "DatanetRegistry", "withdrawContribution", [3n]);
  // A review batch of a withdrawn entry and an unknown id: both skipped, nothing reverts.
  await send(a.carol, "DatanetRegistry", "acceptContributions", [[3n, 77n]]);
  await send(a.dave, "DatanetRegistry", "requestAccess", [1n, 3, "ipfs://purpose-dave"]);
  await send(a.erin, "DatanetRegistry", "requestAccess", [1n, 1, "ipfs://purpose-erin"]);
  await send(a.carol, "DatanetRegistry", "denyAccessRequest", [1n, 2n, "not now"]);
  await send(a.erin, "DatanetRegistry", "requestAccess", [1n, 1, "ipfs://purpose-erin-2"]);
  await send(a.carol, "DatanetRegistry", "grantAccess", [1n, a.dave, 3, far]);
  const issuedAt = (await p.publicClient.getBlock()).timestamp + 1n;
  const grant = { datanetId: 1n, grantee: a.erin, scopes: 1, expiresAt: far, nonce: 7n, deadline: far, issuedAt };
  const signature = await p.wallet.signTypedData({
    account: a.alice,
    ...accessGrantTypedData(p.chainId, p.contracts.DatanetRegistry.address, grant),
  });
  await send(a.admin, "DatanetRegistry", "grantAccessBySig", [grant, a.alice, signature]);
  await send(a.alice, "DatanetRegistry", "cancelGrantSignature", [9n]);
  await send(a.alice, "DatanetRegistry", "revokeAccess", [1n, a.erin]);

  await send(a.admin, "TrainerRegistry", "admitTrainer", [a.trainer, "http://trainer:1", "ipfs://t1"]);
  await send(a.trainer, "TrainerRegistry", "updateTrainer", ["http://trainer:2", "ipfs://t2"]);
  await send(a.trainer, "TrainerRegistry", "setActive", [false]);
  await send(a.trainer, "TrainerRegistry", "setActive", [true]);

  await send(a.dave, "TrainingJobs", "createJob", [[1n, 2n], "ipfs://spec1", hash("spec1")]);
  await send(a.dave, "TrainingJobs", "createJob", [[2n], "ipfs://spec2", hash("spec2")]);
  await send(a.dave, "TrainingJobs", "cancelJob", [2n]);
  await send(a.dave, "TrainingJobs", "createJob", [[1n], "ipfs://spec3", hash("spec3")]);
  await send(a.trainer, "TrainingJobs", "claimJob", [1n]);
  await send(a.trainer, "TrainingJobs", "renewLease", [1n]);
  await send(a.trainer, "TrainingJobs", "completeJob", [
    1n,
    "bafyadapter",
    hash("adapter"),
    "ipfs://metrics",
    FLAWED_MANIFEST_ROOT,
    "ipfs://manifest",
  ]);
  await send(a.erin, "TrainingJobs", "challengeManifestEntry", [1n, 999n, hash("c999"), []]);
  await send(a.trainer, "TrainingJobs", "claimJob", [3n]);
  await send(a.trainer, "TrainingJobs", "releaseJob", [3n]);
  await send(a.trainer, "TrainingJobs", "claimJob", [3n]);
  await send(a.trainer, "TrainingJobs", "failJob", [3n, "out of memory"]);
  await send(a.admin, "TrainingJobs", "setLeaseDuration", [3600n]);
  await send(a.admin, "TrainingJobs", "setMaxClaimLife", [86_400n]);

  await send(a.trainer, "AttributionLedger", "postBatch", [1n, hash("receipts"), "ipfs://receipts", 2, pack(RECEIPTS)]);
  await send(a.dave, "AttributionLedger", "authorizeServingNode", [1n, a.erin]);
  await send(a.dave, "AttributionLedger", "authorizeServingNode", [1n, a.bob]);
  await send(a.dave, "AttributionLedger", "revokeServingNode", [1n, a.erin]);

  await send(a.alice, "DatanetRegistry", "addApprover", [2n, a.dave]);
  await send(a.alice, "DatanetRegistry", "transferOwnership", [2n, a.bob]);
  await send(a.bob, "DatanetRegistry", "acceptOwnership", [2n]);
  await send(a.alice, "DatanetRegistry", "setPolicies", [1n, 1, 0]);
  await send(a.alice, "DatanetRegistry", "removeApprover", [1n, a.carol]);
  return a;
}
