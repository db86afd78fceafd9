// Sign-In with Ethereum (EIP-4361) with a trainer node: nonce → signed message → bearer token,
// kept for the tab's session per node and account.
import { useCallback, useState } from "react";
import { useAccount, useSignMessage } from "wagmi";
import { createSiweMessage } from "viem/siwe";
import { useAppConfig } from "../config/context.tsx";
import { trainerApi } from "../lib/trainer-api.ts";

const key = (node: string, address: string) => `modelfactory.siwe.${node}.${address.toLowerCase()}`;

export function readSession(node: string, address: string | undefined): string | null {
  if (!address) return null;
  const raw = sessionStorage.getItem(key(node, address));
  if (!raw) return null;
  const s = JSON.parse(raw) as { token: string; expiresAt: number };
  return s.expiresAt * 1000 > Date.now() + 30_000 ? s.token : null;
}

export function useTrainerSession(nodeUrl: string | null) {
  const { address } = useAccount();
  const { chainId } = useAppConfig();
  const { signMessageAsync } = useSignMessage();
  const [token, setToken] = useState<string | null>(() => (nodeUrl ? readSession(nodeUrl, address) : null));
  const [pending, setPending] = useState(false);
  const current = nodeUrl ? (readSession(nodeUrl, address) ?? token) : null;

  const signIn = useCallback(async (): Promise<string> => {
    if (!nodeUrl || !address) throw new Error("Connect a wallet to sign in to the trainer node.");
    setPending(true);
    try {
      const { nonce } = await trainerApi.nonce(nodeUrl);
      const url = new URL(nodeUrl);
      const message = createSiweMessage({
        domain: url.host,
        address,
        statement: "Sign in to the ModelFactory trainer node.",
        uri: url.origin,
        version: "1",
        chainId,
        nonce,
        issuedAt: new Date(),
      });
      const signature = await signMessageAsync({ message });
      const session = await trainerApi.verify(nodeUrl, message, signature);
      sessionStorage.setItem(key(nodeUrl, address), JSON.stringify(session));
      setToken(session.token);
      return session.token;
    } finally {
      setPending(false);
    }
  }, [nodeUrl, address, chainId, signMessageAsync]);

  return { token: current, signIn, pending, address };
}
