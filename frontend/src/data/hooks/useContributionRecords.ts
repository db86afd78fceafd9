// Thin hook over contributionRecordsQueryOptions, signing key requests with the connected wallet.
import { useQuery } from "@tanstack/react-query";
import { useAccount, useSignMessage } from "wagmi";
import { useAppConfig } from "../../config/context.tsx";
import { contributionRecordsQueryOptions } from "../queries/contribution-records-query.ts";
import type { ContributionEntity } from "../types.ts";

export function useContributionRecords(c: ContributionEntity) {
  const { address } = useAccount();
  const { signMessageAsync } = useSignMessage();
  const signer = address ? { address, signMessage: (message: string) => signMessageAsync({ message }) } : null;
  return useQuery(contributionRecordsQueryOptions(useAppConfig(), c, signer));
}
