// An injected EIP-1193 test wallet for Playwright: forwards JSON-RPC to the local Hardhat node,
// whose unlocked test accounts sign (eth_sendTransaction, eth_signTypedData_v4, personal_sign).
// Announced by EIP-6963 and as window.ethereum; no accounts before eth_requestAccounts.

/** Source of the init script; `rpcUrl` and the first account are baked in. */
export function testWalletScript(rpcUrl: string, account: string): string {
  return `(() => {
  const rpcUrl = ${JSON.stringify(rpcUrl)};
  let account = sessionStorage.getItem("e2e-wallet-account") || ${JSON.stringify(account)};
  let authorized = sessionStorage.getItem("e2e-wallet-authorized") === "1";
  const listeners = {};
  const emit = (event, value) => (listeners[event] || []).slice().forEach((fn) => fn(value));
  let id = 0;
  async function rpc(method, params) {
    const res = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params || [] }) });
    const body = await res.json();
    if (body.error) { const e = new Error(body.error.message); e.code = body.error.code; e.data = body.error.data; throw e; }
    return body.result;
  }
  const provider = {
    isE2EWallet: true,
    async request({ method, params }) {
      switch (method) {
        case "eth_requestAccounts": authorized = true; sessionStorage.setItem("e2e-wallet-authorized", "1"); return [account];
        case "eth_accounts": return authorized ? [account] : [];
        case "wallet_requestPermissions": authorized = true; return [{ parentCapability: "eth_accounts" }];
        case "wallet_getPermissions": return authorized ? [{ parentCapability: "eth_accounts" }] : [];
        case "wallet_revokePermissions": authorized = false; sessionStorage.removeItem("e2e-wallet-authorized"); return null;
        case "wallet_switchEthereumChain": return null;
        case "personal_sign": return rpc("personal_sign", params);
        case "eth_signTypedData_v4": return rpc("eth_signTypedData_v4", params);
        case "eth_sendTransaction": return rpc("eth_sendTransaction", [{ ...params[0], from: account }]);
        default: return rpc(method, params);
      }
    },
    on(event, fn) { (listeners[event] = listeners[event] || []).push(fn); return provider; },
    removeListener(event, fn) { listeners[event] = (listeners[event] || []).filter((f) => f !== fn); return provider; },
  };
  window.__e2eWallet = { setAccount(a) { account = a; sessionStorage.setItem("e2e-wallet-account", a); emit("accountsChanged", [a]); } };
  window.ethereum = provider;
  const info = { uuid: "6f1b6a1e-0000-4000-8000-e2e000000001", name: "E2E Test Wallet", icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'%3E%3Crect width='8' height='8' fill='%23333'/%3E%3C/svg%3E", rdns: "dev.modelfactory.e2e" };
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;
}
