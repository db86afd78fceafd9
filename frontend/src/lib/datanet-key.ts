// A permissioned Datanet's encryption key as its owner bound it on chain (DatanetKeys): what
// the browser encrypts contributions for. Read from the chain itself, never from a key service,
// so a contributor cannot be tricked into encrypting for someone else.
import { createPublicClient, http, type Hex } from "viem";
import type { AppConfig } from "../config/app-config.ts";
import { contract } from "./contracts.ts";

export type DatanetEncryptionKey = { publicKey: Hex; version: number; keyServiceURI: string };

/** The Datanet's bound key, or null when its owner has not bound one yet. */
export async function readDatanetKey(config: AppConfig, datanetId: string): Promise<DatanetEncryptionKey | null> {
  const client = createPublicClient({ transport: http(config.rpcUrl) });
  const [publicKey, version, keyServiceURI] = (await client.readContract({
    ...contract(config, "DatanetKeys"),
    functionName: "encryptionKey",
    args: [BigInt(datanetId)],
  })) as readonly [Hex, bigint, string];
  return version === 0n ? null : { publicKey, version: Number(version), keyServiceURI };
}
