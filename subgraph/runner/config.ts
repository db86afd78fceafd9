// Typed start-up configuration of the runner: the deployment file and the command line,
// validated once, with errors that name the missing or bad value.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseDeployment, type Deployment } from "@modelfactory/sdk";
import { RunnerError } from "./errors.ts";

/** Reads and validates a deployment file (deployments/<chainId>.json). */
export async function loadDeployment(file: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new RunnerError(`No deployment file at ${path.resolve(file)}.`, {
      code: "DEPLOYMENT_MISSING",
      details:
        "Deploy the contracts first: start `npx hardhat node --hostname 127.0.0.1 --port 8545`, then run " +
        "`npx hardhat run scripts/deploy.ts --network localhost` (it writes deployments/<chainId>.json), " +
        "or pass --deployment <file>.",
      cause,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new RunnerError(`Deployment file ${file} is not valid JSON.`, { code: "DEPLOYMENT_INVALID", cause });
  }
  try {
    return parseDeployment(raw, file);
  } catch (cause) {
    throw new RunnerError(`Deployment file ${file} is invalid: ${(cause as Error).message}`, {
      code: "DEPLOYMENT_INVALID",
      cause,
    });
  }
}
