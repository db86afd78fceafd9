// A wagmi connector for the development chain that signs locally with one of Hardhat's public
// test keys (no extension needed). Refuses to exist on any other chain (see app-config).
import { createConnector } from "wagmi";
import { createPublicClient, createWalletClient, http, numberToHex, type Chain, type EIP1193RequestFn, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { DEV_ACCOUNTS } from "./dev-accounts.ts";

const STORAGE_KEY = "modelfactory.burner.account";
const CONNECTED_KEY = "modelfactory.burner.connected";

export const BURNER_ID = "modelfactory-burner";

/** Index of the dev account the burner signs with (persisted per browser). */
export function burnerAccountIndex(): number {
  const n = Number(globalThis.localStorage?.getItem(STORAGE_KEY) ?? "0");
  return Number.isInteger(n) && n >= 0 && n < DEV_ACCOUNTS.length ? n : 0;
}

type BurnerProperties = { selectAccount(index: number): void };

export function burnerConnector(chain: Chain, rpcUrl: string) {
  return createConnector<{ request: EIP1193RequestFn }, BurnerProperties>((config) => {
    const transport = http(rpcUrl);
    const publicClient = createPublicClient({ chain, transport });
    const account = () => privateKeyToAccount(DEV_ACCOUNTS[burnerAccountIndex()]!.privateKey);
    const walletClient = () => createWalletClient({ account: account(), chain, transport });
    const request = (async ({ method, params }: { method: string; params?: unknown }) => {
      const p = (params ?? []) as unknown[];
      switch (method) {
        case "eth_accounts":
        case "eth_requestAccounts":
          return [account().address];
        case "eth_chainId":
          return numberToHex(chain.id);
        case "personal_sign":
          return walletClient().signMessage({ message: { raw: p[0] as Hex } });
        case "eth_signTypedData_v4":
          return walletClient().signTypedData(JSON.parse(p[1] as string));
        case "eth_sendTransaction": {
          const tx = p[0] as { to?: Hex; data?: Hex; value?: Hex; gas?: Hex };
          return walletClient().sendTransaction({
            to: tx.to ?? null,
            data: tx.data,
            value: tx.value ? BigInt(tx.value) : undefined,
            gas: tx.gas ? BigInt(tx.gas) : undefined,
          } as Parameters<ReturnType<typeof walletClient>["sendTransaction"]>[0]);
        }
        default:
          return publicClient.request({ method, params } as never);
      }
    }) as EIP1193RequestFn;
    return {
      id: BURNER_ID,
      name: "Dev burner wallet",
      type: "burner",
      async connect(parameters?: { chainId?: number | undefined }) {
        void parameters;
        localStorage.setItem(CONNECTED_KEY, "1");
        return { accounts: [account().address], chainId: chain.id } as never;
      },
      async disconnect() {
        localStorage.removeItem(CONNECTED_KEY);
      },
      async getAccounts() {
        return [account().address];
      },
      async getChainId() {
        return chain.id;
      },
      async getProvider() {
        return { request };
      },
      async getClient() {
        return walletClient();
      },
      async isAuthorized() {
        return localStorage.getItem(CONNECTED_KEY) === "1";
      },
      async switchChain({ chainId }: { chainId: number }) {
        if (chainId !== chain.id) throw new Error(`The burner wallet only works on ${chain.name}.`);
        return chain;
      },
      selectAccount(index: number) {
        localStorage.setItem(STORAGE_KEY, String(index));
        config.emitter.emit("change", { accounts: [account().address] });
      },
      onAccountsChanged() {},
      onChainChanged() {},
      onDisconnect() {
        config.emitter.emit("disconnect");
      },
    };
  });
}
