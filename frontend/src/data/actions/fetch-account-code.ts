// The code at an account: "0x" (or undefined) for a plain key, bytecode for a contract wallet
// (ERC-1271) or an EOA delegated with EIP-7702.
import { createPublicClient, http, type Hex } from "viem";
import type { AppConfig } from "../../config/app-config.ts";
import { addressArg } from "../writes/write-inputs.ts";

export async function fetchAccountCode(config: AppConfig, account: string): Promise<Hex | undefined> {
  return createPublicClient({ transport: http(config.rpcUrl) }).getCode({ address: addressArg("Account", account) });
}
