// The GUI's runtime configuration: chain, contract addresses and service URLs, read once at
// start from `config.json` beside the app and validated, so a bad deployment names its field.
// Narrow SDK imports keep the Merkle-tree code out of the initial bundle.
import { ModelFactoryError } from "@sdk/errors.ts";
import { parseDeployment, type Deployment } from "@sdk/protocol/deployment.ts";

export type AppConfig = {
  chainId: number;
  chainName: string;
  /** JSON-RPC endpoint of the chain. */
  rpcUrl: string;
  /** GraphQL endpoint of the subgraph (The Graph dialect). */
  graphqlUrl: string;
  /** Kubo RPC base URL of the content store (the local content API in development). */
  contentApiUrl: string;
  /** Trainer node URLs used in addition to the nodes registered on chain. */
  trainerNodes: string[];
  /** WalletConnect cloud project id; WalletConnect is offered only when set. */
  walletConnectProjectId: string | null;
  /** Offer the development burner wallet (Hardhat's public test keys). Development chains only. */
  burnerWallet: boolean;
  contracts: Deployment["contracts"];
};

/** Thrown when config.json is missing or holds a bad value. */
export class AppConfigError extends ModelFactoryError {
  override name = "AppConfigError";
  constructor(message: string, cause?: unknown) {
    super(message, { code: "APP_CONFIG_INVALID", cause, details: "Fix config.json served beside the app (see frontend/README.md)." });
  }
}

const DEV_CHAINS = new Set([31337, 1337]);

function httpUrl(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new AppConfigError(`config.json: "${key}" is missing or not a string.`);
  let u: URL;
  try {
    u = new URL(v);
  } catch (cause) {
    throw new AppConfigError(`config.json: "${key}" is not a URL (${v}).`, cause);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new AppConfigError(`config.json: "${key}" must be an http(s) URL.`);
  return v.replace(/\/$/, "");
}

/** Validates a parsed config.json, naming the first bad value. */
export function parseAppConfig(raw: unknown): AppConfig {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new AppConfigError("config.json is not a JSON object.");
  const o = raw as Record<string, unknown>;
  let deployment: Deployment;
  try {
    deployment = parseDeployment({ chainId: o.chainId, contracts: o.contracts }, "config.json");
  } catch (cause) {
    throw new AppConfigError((cause as Error).message.split("\n")[0] ?? "config.json: bad contracts.", cause);
  }
  const nodes = o.trainerNodes ?? [];
  if (!Array.isArray(nodes)) throw new AppConfigError('config.json: "trainerNodes" must be a list of URLs.');
  const trainerNodes = nodes.map((_, i) => httpUrl(nodes as unknown as Record<string, unknown>, String(i)));
  const wc = o.walletConnectProjectId;
  if (wc !== undefined && wc !== null && (typeof wc !== "string" || !/^[0-9a-f]{32}$/i.test(wc))) {
    throw new AppConfigError('config.json: "walletConnectProjectId" must be a 32-character hex project id or null.');
  }
  const burner = o.burnerWallet ?? DEV_CHAINS.has(deployment.chainId);
  if (typeof burner !== "boolean") throw new AppConfigError('config.json: "burnerWallet" must be true or false.');
  if (burner && !DEV_CHAINS.has(deployment.chainId)) {
    throw new AppConfigError(`config.json: the burner wallet is for development chains only, not chain ${deployment.chainId}.`);
  }
  const chainName = o.chainName ?? (deployment.chainId === 31337 ? "Hardhat (local)" : `Chain ${deployment.chainId}`);
  if (typeof chainName !== "string") throw new AppConfigError('config.json: "chainName" must be a string.');
  return {
    chainId: deployment.chainId,
    chainName,
    rpcUrl: httpUrl(o, "rpcUrl"),
    graphqlUrl: httpUrl(o, "graphqlUrl"),
    contentApiUrl: httpUrl(o, "contentApiUrl"),
    trainerNodes,
    walletConnectProjectId: typeof wc === "string" ? wc : null,
    burnerWallet: burner,
    contracts: deployment.contracts,
  };
}

/** Fetches and validates `config.json` from beside the app. */
export async function loadAppConfig(url = `${import.meta.env.BASE_URL}config.json`): Promise<AppConfig> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store" });
  } catch (cause) {
    throw new AppConfigError(`Could not load ${url}.`, cause);
  }
  if (!response.ok) throw new AppConfigError(`Could not load ${url} (HTTP ${response.status}).`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch (cause) {
    throw new AppConfigError(`${url} is not valid JSON.`, cause);
  }
  return parseAppConfig(raw);
}
