// Shows its children only with a connected wallet on the right chain; otherwise says why.
import type { ReactNode } from "react";
import { ConnectButton } from "@rainbow-me/rainbowkit";
import { useAccount } from "wagmi";
import { useAppConfig } from "../config/context.tsx";

export function WalletGate({ children, reason }: { children: ReactNode; reason: string }) {
  const { isConnected, chainId } = useAccount();
  const config = useAppConfig();
  if (isConnected && chainId === config.chainId) return <>{children}</>;
  return (
    <div className="state state-empty">
      <strong>{isConnected ? `Switch your wallet to ${config.chainName} ${reason}.` : `Connect a wallet ${reason}.`}</strong>
      <ConnectButton />
    </div>
  );
}
