// The shell: navigation, wallet button, development account switcher, wrong-network banner.
import type { ReactNode } from "react";
import { ConnectButton } from "@rainbow-me/rainbowkit";
import { useAccount, useSwitchChain } from "wagmi";
import { useAppConfig } from "../config/context.tsx";
import { Link, useLocation } from "../router/router.tsx";
import { errorSentence } from "../lib/error-sentence.ts";
import { DevAccountSwitcher } from "../wallet/DevAccountSwitcher.tsx";

const NAV = [
  { to: "/datanets", label: "Datanets" },
  { to: "/contributions", label: "Contributions" },
  { to: "/inbox", label: "Inbox" },
  { to: "/access", label: "Access" },
  { to: "/train", label: "Train" },
  { to: "/jobs", label: "Jobs" },
  { to: "/chat", label: "Chat" },
  { to: "/explore", label: "Explorer" },
];

function NetworkBanner() {
  const config = useAppConfig();
  const { isConnected, chainId } = useAccount();
  const { switchChain, isPending, error } = useSwitchChain();
  if (!isConnected || chainId === config.chainId) return null;
  return (
    <div className="banner banner-warn" role="alert">
      Your wallet is on chain {chainId}; ModelFactory runs on {config.chainName}.
      <button className="btn btn-small" disabled={isPending} onClick={() => switchChain({ chainId: config.chainId })}>
        {isPending ? "Switching…" : `Switch to ${config.chainName}`}
      </button>
      {error ? <span className="field-error">{errorSentence(error)}</span> : null}
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const active = (to: string) => pathname === to || pathname.startsWith(`${to}/`) || (to === "/datanets" && pathname === "/");
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/datanets" className="brand" aria-label="ModelFactory home">
          <span className="brand-mark" aria-hidden>
            ◆
          </span>
          ModelFactory
        </Link>
        <nav aria-label="Main" className="nav">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className={active(n.to) ? "active" : undefined} aria-current={active(n.to) ? "page" : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="wallet">
          <DevAccountSwitcher />
          <ConnectButton chainStatus="icon" accountStatus="address" showBalance={false} />
        </div>
      </header>
      <NetworkBanner />
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
