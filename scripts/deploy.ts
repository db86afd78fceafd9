// Deploys the protocol to the network Hardhat was started with and writes
// deployments/<chainId>.json, the file every other component reads.
//   npx hardhat run scripts/deploy.ts --network localhost
import path from "node:path";
import { network } from "hardhat";
import { writeDeploymentFile } from "@modelfactory/sdk/node";
import { deployProtocol } from "./lib/deploy.ts";

const { viem } = await network.create();
const chainId = await (await viem.getPublicClient()).getChainId();
const d = await deployProtocol(viem);
const file = await writeDeploymentFile(path.resolve(process.env.MF_DEPLOYMENTS_DIR ?? path.join(import.meta.dirname, "../deployments")), {
  chainId,
  contracts: {
    DatanetRegistry: { address: d.datanetRegistry.address, blockNumber: d.blockNumber },
    TrainerRegistry: { address: d.trainerRegistry.address, blockNumber: d.blockNumber },
    TrainingJobs: { address: d.trainingJobs.address, blockNumber: d.blockNumber },
    AttributionLedger: { address: d.attributionLedger.address, blockNumber: d.blockNumber },
    DatanetKeys: { address: d.datanetKeys.address, blockNumber: d.blockNumber },
  },
});
console.log(`Deployed ModelFactory to chain ${chainId}; wrote ${path.relative(process.cwd(), file)}`);
for (const [name, c] of Object.entries({
  DatanetRegistry: d.datanetRegistry,
  TrainerRegistry: d.trainerRegistry,
  TrainingJobs: d.trainingJobs,
  AttributionLedger: d.attributionLedger,
  DatanetKeys: d.datanetKeys,
}))
  console.log(`  ${name.padEnd(18)} ${c.address}`);
