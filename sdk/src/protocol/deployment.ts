// Per-chain deployment records written by scripts/deploy.ts and read by every component.
import { isAddress, type Address } from "viem";
import { InvalidInputError } from "../errors.ts";

export const CONTRACT_NAMES = ["DatanetRegistry", "TrainerRegistry", "TrainingJobs", "AttributionLedger"] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];
/** Contracts added after the first four: optional, so deployment files written before them stay valid. */
export const OPTIONAL_CONTRACT_NAMES = ["DatanetKeys"] as const;
export type OptionalContractName = (typeof OPTIONAL_CONTRACT_NAMES)[number];

export type DeployedContract = { address: Address; blockNumber: number };
export type Deployment = {
  chainId: number;
  contracts: Record<ContractName, DeployedContract> & Partial<Record<OptionalContractName, DeployedContract>>;
};

/** Validates a parsed deployment file, naming the first bad field. */
export function parseDeployment(raw: unknown, source = "deployment"): Deployment {
  const o = raw as { chainId?: unknown; contracts?: Record<string, { address?: unknown; blockNumber?: unknown }> };
  if (!o || typeof o !== "object") throw new InvalidInputError(`${source} is not a JSON object.`);
  if (typeof o.chainId !== "number" || !Number.isInteger(o.chainId) || o.chainId <= 0) {
    throw new InvalidInputError(`${source}: "chainId" must be a positive integer.`);
  }
  const contracts = {} as Deployment["contracts"];
  for (const name of CONTRACT_NAMES) {
    const c = o.contracts?.[name];
    if (!c || typeof c.address !== "string" || !isAddress(c.address)) {
      throw new InvalidInputError(`${source}: contracts.${name}.address is missing or not an address.`, {
        details: "Run the deploy script (npm run deploy) for this chain.",
      });
    }
    if (typeof c.blockNumber !== "number" || c.blockNumber < 0) {
      throw new InvalidInputError(`${source}: contracts.${name}.blockNumber must be a non-negative integer.`);
    }
    contracts[name] = { address: c.address as Address, blockNumber: c.blockNumber };
  }
  for (const name of OPTIONAL_CONTRACT_NAMES) {
    const c = o.contracts?.[name];
    if (c === undefined) continue;
    if (typeof c.address !== "string" || !isAddress(c.address))
      throw new InvalidInputError(`${source}: contracts.${name}.address is not an address.`);
    if (typeof c.blockNumber !== "number" || c.blockNumber < 0) {
      throw new InvalidInputError(`${source}: contracts.${name}.blockNumber must be a non-negative integer.`);
    }
    contracts[name] = { address: c.address as Address, blockNumber: c.blockNumber };
  }
  return { chainId: o.chainId, contracts };
}
