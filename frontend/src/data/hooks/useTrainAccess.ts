// Thin hook over trainAccessQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { trainAccessQueryOptions } from "../queries/train-access-query.ts";
import type { Address } from "viem";
export function useTrainAccess(account: Address | undefined, datanetIds: string[], scope?: number) {
  return useQuery(trainAccessQueryOptions(useAppConfig(), account, datanetIds, scope));
}
