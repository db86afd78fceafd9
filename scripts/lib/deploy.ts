// Deploys the protocol: one order and one set of constructor arguments (`DEPLOY_ORDER`,
// `constructorArgs`), used by Hardhat's viem helpers here (the deploy script, the contract
// tests, the benchmarks) and by the test harness's deploy from artifacts
// (scripts/lib/test-harness.ts), so every chain the project starts is wired the same way.
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import type { Address } from "viem";

export type ProtocolDeployment = Awaited<ReturnType<typeof deployProtocol>>;

/** Deployment order; DatanetKeys last, so the addresses of the four before it stay what they were before it existed. */
export const DEPLOY_ORDER = ["DatanetRegistry", "TrainerRegistry", "TrainingJobs", "AttributionLedger", "DatanetKeys"] as const;
export type DeployedName = (typeof DEPLOY_ORDER)[number];

/** A contract's constructor arguments, from the addresses deployed before it and the admin. */
export function constructorArgs(name: DeployedName, deployed: Partial<Record<DeployedName, Address>>, admin: Address): readonly unknown[] {
  const at = (n: DeployedName): Address => {
    const a = deployed[n];
    if (!a) throw new Error(`${name} needs ${n}, which is not deployed yet (deploy in DEPLOY_ORDER).`);
    return a;
  };
  switch (name) {
    case "DatanetRegistry":
      return [];
    case "TrainerRegistry":
      return [admin];
    case "TrainingJobs":
      return [at("DatanetRegistry"), at("TrainerRegistry"), admin];
    case "AttributionLedger":
      return [at("TrainerRegistry"), at("TrainingJobs"), at("DatanetRegistry")];
    case "DatanetKeys":
      return [at("DatanetRegistry")];
  }
}

/** Deploys the five contracts in `DEPLOY_ORDER` with Hardhat's viem helpers (typed contracts). */
export async function deployProtocol(viem: HardhatViemHelpers, admin?: Address) {
  const [deployer] = await viem.getWalletClients();
  const owner = admin ?? deployer!.account.address;
  const publicClient = await viem.getPublicClient();
  const blockNumber = Number(await publicClient.getBlockNumber()) + 1;
  const a: Partial<Record<DeployedName, Address>> = {};
  const datanetRegistry = await viem.deployContract("DatanetRegistry");
  a.DatanetRegistry = datanetRegistry.address;
  const trainerRegistry = await viem.deployContract("TrainerRegistry", constructorArgs("TrainerRegistry", a, owner) as [Address]);
  a.TrainerRegistry = trainerRegistry.address;
  const trainingJobs = await viem.deployContract("TrainingJobs", constructorArgs("TrainingJobs", a, owner) as [Address, Address, Address]);
  a.TrainingJobs = trainingJobs.address;
  const attributionLedger = await viem.deployContract(
    "AttributionLedger",
    constructorArgs("AttributionLedger", a, owner) as [Address, Address, Address],
  );
  a.AttributionLedger = attributionLedger.address;
  const datanetKeys = await viem.deployContract("DatanetKeys", constructorArgs("DatanetKeys", a, owner) as [Address]);
  return { datanetRegistry, trainerRegistry, trainingJobs, attributionLedger, datanetKeys, blockNumber, admin: owner };
}
