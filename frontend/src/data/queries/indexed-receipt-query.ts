// Query options for a receipt found through the index and the content store (no trainer node).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchReceiptFromIndex } from "../actions/fetch-receipt-from-index.ts";

export function indexedReceiptQueryOptions(config: AppConfig, receiptId: string | null) {
  return queryOptions({
    queryKey: ["indexed-receipt", receiptId] as const,
    queryFn: () => fetchReceiptFromIndex(config, receiptId!),
    enabled: receiptId !== null,
    staleTime: Infinity,
  });
}
