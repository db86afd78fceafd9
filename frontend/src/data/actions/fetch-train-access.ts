// Which Datanets an account may use for a scope (Train by default), asked of the chain itself
// (`hasAccess`): the same check `createJob` makes.
import { Scope } from "@modelfactory/sdk";
import { createPublicClient, http, type Address } from "viem";
import type { AppConfig } from "../../config/app-config.ts";
import { contract } from "../../lib/contracts.ts";

export async function fetchTrainAccess(
  config: AppConfig,
  account: Address,
  datanetIds: string[],
  scope: number = Scope.Train,
): Promise<Record<string, boolean>> {
  const client = createPublicClient({ transport: http(config.rpcUrl) });
  const c = contract(config, "DatanetRegistry");
  const results = await Promise.all(
    datanetIds.map((id) => client.readContract({ ...c, functionName: "hasAccess", args: [BigInt(id), account, scope] }).catch(() => false)),
  );
  return Object.fromEntries(datanetIds.map((id, i) => [id, results[i] === true]));
}
