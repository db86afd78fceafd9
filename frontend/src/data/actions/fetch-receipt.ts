// An answer's receipt with its proof and batch, from the trainer node that served it.
import type { ReceiptStatus } from "@modelfactory/sdk";
import { trainerApi } from "../../lib/trainer-api.ts";

export function fetchReceipt(nodeUrl: string, receiptId: string): Promise<ReceiptStatus> {
  return trainerApi.receipt(nodeUrl, receiptId);
}
