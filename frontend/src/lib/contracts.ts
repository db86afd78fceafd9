// The protocol's contracts as wagmi/viem want them: address from the runtime config, ABI
// from the SDK's generated ABIs.
import { attributionLedgerAbi, datanetKeysAbi, datanetRegistryAbi, trainerRegistryAbi, trainingJobsAbi } from "@sdk/generated/abis.ts";
import type { AppConfig } from "../config/app-config.ts";

export const abis = {
  DatanetRegistry: datanetRegistryAbi,
  TrainerRegistry: trainerRegistryAbi,
  TrainingJobs: trainingJobsAbi,
  AttributionLedger: attributionLedgerAbi,
  DatanetKeys: datanetKeysAbi,
} as const;

export type ProtocolContract = keyof typeof abis;

export const allProtocolAbis = [...datanetRegistryAbi, ...trainerRegistryAbi, ...trainingJobsAbi, ...attributionLedgerAbi];

export function contract<N extends ProtocolContract>(config: AppConfig, name: N) {
  const deployed = config.contracts[name];
  // DatanetKeys is optional in a deployment; the others are checked when config.json loads.
  if (!deployed) throw new Error(`This deployment has no ${name} contract; permissioned Datanets cannot be encrypted for on this chain.`);
  return { address: deployed.address, abi: abis[name] } as const;
}
