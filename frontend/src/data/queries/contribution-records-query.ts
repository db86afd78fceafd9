// Query options for a pending contribution's records as its approver reads them (decrypted in
// this browser). Kept for the session (the bytes are content-addressed) and never retried: a
// retry would ask the wallet to sign again.
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchContributionRecords } from "../actions/fetch-contribution-records.ts";
import type { ContributionEntity } from "../types.ts";

export type RecordsSigner = { address: `0x${string}`; signMessage: (message: string) => Promise<`0x${string}`> };

export function contributionRecordsQueryOptions(config: AppConfig, c: ContributionEntity, signer: RecordsSigner | null) {
  return queryOptions({
    queryKey: ["contribution-records", c.id, signer?.address ?? null] as const,
    queryFn: () => {
      if (!signer) throw new Error("Connect a wallet to read this contribution.");
      return fetchContributionRecords(
        config,
        { id: c.id, datanetId: c.datanet.id, contentId: c.contentId, contentHash: c.contentHash },
        { address: signer.address, signMessage: ({ message }) => signer.signMessage(message) },
      );
    },
    enabled: !!signer,
    staleTime: Infinity,
    retry: false,
  });
}
