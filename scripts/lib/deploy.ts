// Deploys the protocol with Hardhat's viem helpers; shared by the deploy script, the tests
// and the benchmarks so all of them run the same wiring.
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import type { Address } from "viem";

export type ProtocolDeployment = Awaited<ReturnType<typeof deployProtocol>>;

/** Deploys DatanetRegistry, TrainerRegistry, TrainingJobs, AttributionLedger and DatanetKeys, in that order. */
export async function deployProtocol(viem: HardhatViemHelpers, admin?: Address) {
  const [deployer] = await viem.getWalletClients();
  const owner = admin ?? deployer!.account.address;
  const publicClient = await viem.getPublicClient();
  const blockNumber = Number(await publicClient.getBlockNumber()) + 1;
  const datanetRegistry = await viem.deployContract("DatanetRegistry");
  const trainerRegistry = await viem.deployContract("TrainerRegistry", [owner]);
  const trainingJobs = await viem.deployContract("TrainingJobs", [datanetRegistry.address, trainerRegistry.address, owner]);
  const attributionLedger = await viem.deployContract("AttributionLedger", [trainerRegistry.address, trainingJobs.address, datanetRegistry.address]);
  // Last, so the addresses of the four above stay what they were before it existed.
  const datanetKeys = await viem.deployContract("DatanetKeys", [datanetRegistry.address]);
  return { datanetRegistry, trainerRegistry, trainingJobs, attributionLedger, datanetKeys, blockNumber, admin: owner };
}
