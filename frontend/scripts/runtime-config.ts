// Builds the GUI's config.json from the environment and the deployment file, so the dev
// server, `vite preview`, a production build and the e2e tests all serve the same shape.
//   MF_DEPLOYMENT=../deployments/31337.json MF_RPC_URL=… MF_GRAPHQL_URL=… MF_CONTENT_API_URL=…
//   MF_TRAINER_NODES=url,url MF_WALLETCONNECT_PROJECT_ID=… MF_BURNER_WALLET=true|false
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const FRONTEND = path.resolve(import.meta.dirname, "..");

export type Env = Record<string, string | undefined>;

/** The config.json document (validated again in the browser by parseAppConfig). */
export function buildRuntimeConfig(env: Env = process.env): Record<string, unknown> {
  const override = env.MF_CONFIG ?? path.join(FRONTEND, "config.local.json");
  if (existsSync(override)) return JSON.parse(readFileSync(override, "utf8")) as Record<string, unknown>;
  const deploymentFile = path.resolve(FRONTEND, env.MF_DEPLOYMENT ?? "../deployments/31337.json");
  if (!existsSync(deploymentFile)) {
    throw new Error(`No deployment file at ${deploymentFile}: run \`npm run dev\` (or \`npm run deploy\`) first, or set MF_DEPLOYMENT.`);
  }
  const deployment = JSON.parse(readFileSync(deploymentFile, "utf8")) as { chainId: number; contracts: unknown };
  const list = (v: string | undefined) =>
    v
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  return {
    chainId: deployment.chainId,
    ...(env.MF_CHAIN_NAME ? { chainName: env.MF_CHAIN_NAME } : {}),
    rpcUrl: env.MF_RPC_URL ?? "http://127.0.0.1:8545",
    graphqlUrl: env.MF_GRAPHQL_URL ?? "http://127.0.0.1:8000/subgraphs/name/modelfactory",
    contentApiUrl: env.MF_CONTENT_API_URL ?? "http://127.0.0.1:5001",
    trainerNodes: list(env.MF_TRAINER_NODES),
    walletConnectProjectId: env.MF_WALLETCONNECT_PROJECT_ID || null,
    ...(env.MF_BURNER_WALLET ? { burnerWallet: env.MF_BURNER_WALLET === "true" } : {}),
    contracts: deployment.contracts,
  };
}
