// Query options for an answer's receipt; polls until its batch is posted on chain.
import { queryOptions } from "@tanstack/react-query";
import { fetchReceipt } from "../actions/fetch-receipt.ts";

export function receiptQueryOptions(nodeUrl: string | null, receiptId: string | null) {
  return queryOptions({
    queryKey: ["receipt", nodeUrl, receiptId] as const,
    queryFn: () => fetchReceipt(nodeUrl!, receiptId!),
    enabled: nodeUrl !== null && receiptId !== null,
    refetchInterval: (q) => (q.state.data?.status === "posted" ? false : 2000),
  });
}
