// Reads and writes deployment files (deployments/<chainId>.json) on disk.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ModelFactoryError } from "../errors.ts";
import { parseDeployment, type Deployment } from "../protocol/deployment.ts";

/** Loads and validates `<dir>/<chainId>.json`. */
export async function readDeploymentFile(dir: string, chainId: number): Promise<Deployment> {
  const file = path.join(dir, `${chainId}.json`);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new ModelFactoryError(`No deployment for chain ${chainId} at ${file}.`, {
      code: "DEPLOYMENT_MISSING",
      details: "Start the local stack (npm run dev) or run `npm run deploy` against the chain first.",
      cause,
    });
  }
  return parseDeployment(JSON.parse(text), file);
}

/** Writes `<dir>/<chainId>.json` atomically enough for one writer. */
export async function writeDeploymentFile(dir: string, deployment: Deployment): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${deployment.chainId}.json`);
  await writeFile(file, JSON.stringify(deployment, null, 2) + "\n");
  return file;
}
