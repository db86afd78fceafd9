// The wallet list and wagmi config, built from the runtime config so they work offline:
// injected wallets (EIP-6963 discovery plus a generic injected entry), the development burner,
// and WalletConnect only when a project id is configured.
import { connectorsForWallets, type Wallet, type WalletList } from "@rainbow-me/rainbowkit";
import { injectedWallet, walletConnectWallet } from "@rainbow-me/rainbowkit/wallets";
import { createConfig, http, createConnector } from "wagmi";
import { defineChain, type Chain } from "viem";
import type { AppConfig } from "../config/app-config.ts";
import { burnerConnector } from "./burner-connector.ts";

export function appChain(config: AppConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
    testnet: true,
  });
}

const BURNER_ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 28 28'%3E%3Crect width='28' height='28' rx='6' fill='%23ff7a1a'/%3E%3Cpath d='M14 5c2 4 6 6 6 11a6 6 0 0 1-12 0c0-3 2-4 2-7 2 1 3 3 3 3s1-4 1-7z' fill='%23fff'/%3E%3C/svg%3E";

function burnerWallet(chain: Chain, rpcUrl: string): Wallet {
  return {
    id: "modelfactory-burner",
    name: "Dev burner (Hardhat keys)",
    iconUrl: BURNER_ICON,
    iconBackground: "#ff7a1a",
    installed: true,
    createConnector: (details) => createConnector((cfg) => ({ ...burnerConnector(chain, rpcUrl)(cfg), ...details.rkDetails })),
  };
}

export function createWagmiConfig(config: AppConfig) {
  const chain = appChain(config);
  const wallets: WalletList = [{ groupName: "Browser wallets", wallets: [injectedWallet] }];
  if (config.burnerWallet) wallets.push({ groupName: "Development", wallets: [() => burnerWallet(chain, config.rpcUrl)] });
  if (config.walletConnectProjectId) wallets.push({ groupName: "Mobile", wallets: [walletConnectWallet] });
  const connectors = connectorsForWallets(wallets, {
    appName: "ModelFactory",
    // Only WalletConnect uses the project id, and it is listed only when one is configured.
    projectId: config.walletConnectProjectId ?? "unused",
  });
  return createConfig({
    chains: [chain],
    connectors,
    transports: { [chain.id]: http(config.rpcUrl) },
    multiInjectedProviderDiscovery: true,
    ssr: false,
  });
}
