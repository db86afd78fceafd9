// The protocol's contracts as wagmi/viem want them: address from the runtime config, ABI
// from the SDK's generated ABIs.
import { attributionLedgerAbi, datanetRegistryAbi, trainerRegistryAbi, trainingJobsAbi } from "@sdk/generated/abis.ts";
import type { AppConfig } from "../config/app-config.ts";

export const abis = {
  DatanetRegistry: datanetRegistryAbi,
  TrainerRegistry: trainerRegistryAbi,
  TrainingJobs: trainingJobsAbi,
  AttributionLedger: attributionLedgerAbi,
} as const;

export type ProtocolContract = keyof typeof abis;

export const allProtocolAbis = [...datanetRegistryAbi, ...trainerRegistryAbi, ...trainingJobsAbi, ...attributionLedgerAbi];

export function contract<N extends ProtocolContract>(config: AppConfig, name: N) {
  return { address: config.contracts[name].address, abi: abis[name] } as const;
}
