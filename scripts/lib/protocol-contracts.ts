// The deployable protocol contracts, in deployment order, with where their artifacts live.
// The ABI generator and the deploy script both read this list, so they cannot drift apart.
export const PROTOCOL_CONTRACTS = [
  { name: "DatanetRegistry", artifact: "contracts/datanet/DatanetRegistry.sol/DatanetRegistry.json" },
  { name: "TrainerRegistry", artifact: "contracts/training/TrainerRegistry.sol/TrainerRegistry.json" },
  { name: "TrainingJobs", artifact: "contracts/training/TrainingJobs.sol/TrainingJobs.json" },
  { name: "AttributionLedger", artifact: "contracts/attribution/AttributionLedger.sol/AttributionLedger.json" },
  { name: "DatanetKeys", artifact: "contracts/keys/DatanetKeys.sol/DatanetKeys.json" },
] as const;

export type ProtocolContractName = (typeof PROTOCOL_CONTRACTS)[number]["name"];
