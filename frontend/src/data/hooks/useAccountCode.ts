// Thin hook over accountCodeQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { accountCodeQueryOptions } from "../queries/account-code-query.ts";

export function useAccountCode(account: string) {
  return useQuery(accountCodeQueryOptions(useAppConfig(), account));
}
