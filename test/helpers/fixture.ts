// A deployed protocol on a fresh in-process chain, with named accounts and small helpers
// shared by the contract tests.
import { network } from "hardhat";
import { keccak256, stringToBytes, type Hex } from "viem";
import { deployProtocol } from "../../scripts/lib/deploy.ts";

export const AccessPolicy = { Open: 0, Permissioned: 1 } as const;
export const ContributionPolicy = { Open: 0, Curated: 1 } as const;
export const Status = { None: 0, Pending: 1, Accepted: 2, Rejected: 3, Withdrawn: 4 } as const;
export const JobState = { None: 0, Open: 1, Claimed: 2, Completed: 3, Failed: 4, Cancelled: 5 } as const;
export const Scope = { Train: 1, Retrieve: 2, Evaluate: 4 } as const;

/** A deterministic stand-in for sha256 of some stored bytes. */
export const hashOf = (label: string): Hex => keccak256(stringToBytes(label));

export async function connect() {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const [admin, owner, approver, contributor, builder, trainer, other, trainer2] = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const protocol = await deployProtocol(viem, admin!.account.address);
  return {
    viem,
    networkHelpers,
    publicClient,
    ...protocol,
    accounts: {
      admin: admin!,
      owner: owner!,
      approver: approver!,
      contributor: contributor!,
      builder: builder!,
      trainer: trainer!,
      other: other!,
      trainer2: trainer2!,
    },
  };
}

export type Env = Awaited<ReturnType<typeof connect>>;

/** Creates a Datanet owned by `owner` with `approver` added; returns its id. */
export async function createDatanet(env: Env, access: number, contribution: number): Promise<bigint> {
  const { datanetRegistry, accounts, publicClient } = env;
  const hash = await datanetRegistry.write.createDatanet(["ipfs://meta", "CC-BY-4.0", access, contribution], {
    account: accounts.owner.account,
  });
  await publicClient.waitForTransactionReceipt({ hash });
  const id = await datanetRegistry.read.datanetCount();
  await datanetRegistry.write.addApprover([id, accounts.approver.account.address], { account: accounts.owner.account });
  return id;
}

/** Registers a contribution from `contributor`; returns its id. */
export async function contribute(env: Env, datanetId: bigint, label = "data"): Promise<bigint> {
  const { datanetRegistry, accounts } = env;
  await datanetRegistry.write.contribute([datanetId, hashOf(label), `bafy${label}`, "ipfs://m"], {
    account: accounts.contributor.account,
  });
  return datanetRegistry.read.contributionCount();
}

/** Admits `trainer` (and optionally more) as active trainers. */
export async function admitTrainers(env: Env, ...who: Env["accounts"]["trainer"][]): Promise<void> {
  for (const t of who) {
    await env.trainerRegistry.write.admitTrainer([t.account.address, "http://127.0.0.1:8787", "ipfs://node"], {
      account: env.accounts.admin.account,
    });
  }
}

/** Latest block timestamp as bigint. */
export async function now(env: Env): Promise<bigint> {
  return (await env.publicClient.getBlock()).timestamp;
}
