// Thin hook over receiptQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { receiptQueryOptions } from "../queries/receipt-query.ts";

export function useReceipt(nodeUrl: string | null, receiptId: string | null) {
  return useQuery(receiptQueryOptions(nodeUrl, receiptId));
}
