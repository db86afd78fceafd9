// The connected wallet's encryption key (X25519), derived in the browser from the wallet's
// signature of a fixed message (sdk/ENVELOPE.md "A wallet's encryption key"): asked once per
// account and chain in a session, kept in memory only.
import { useCallback } from "react";
import { useAccount, useChainId, useSignMessage } from "wagmi";
import { encryptionKeyFromSignature, encryptionKeyMessage, type EncryptionKeyPair } from "@modelfactory/sdk";

const derived = new Map<string, EncryptionKeyPair>();

/** Returns a function that gives the wallet's key pair, asking for one signature the first time. */
export function useEncryptionKey(): () => Promise<EncryptionKeyPair> {
  const { address } = useAccount();
  const chainId = useChainId();
  const { signMessageAsync } = useSignMessage();
  return useCallback(async () => {
    if (!address) throw new Error("Connect a wallet first: your encryption key is derived from it.");
    const id = `${chainId}:${address.toLowerCase()}`;
    const known = derived.get(id);
    if (known) return known;
    const signature = await signMessageAsync({ message: encryptionKeyMessage(address, chainId) });
    const key = encryptionKeyFromSignature(signature);
    derived.set(id, key);
    return key;
  }, [address, chainId, signMessageAsync]);
}
