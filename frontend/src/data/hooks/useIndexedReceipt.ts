// Thin hook over indexedReceiptQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { indexedReceiptQueryOptions } from "../queries/indexed-receipt-query.ts";

export function useIndexedReceipt(receiptId: string | null) {
  return useQuery(indexedReceiptQueryOptions(useAppConfig(), receiptId));
}
