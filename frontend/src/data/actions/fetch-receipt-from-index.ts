// An answer's receipt found without any trainer node: the index names the batch that holds a
// receipt with this id's 6-byte key, the batch document comes from the content store, and the
// leaf and Merkle proof are computed here from every receipt in it. The result has the shape of
// a node's ReceiptStatus, so "Verify on chain" checks it the same way.
import {
  buildReceiptTree,
  leafToJson,
  parseReceiptBatchDocument,
  receiptLeafFromDocument,
  receiptProof,
  type ReceiptStatus,
} from "@modelfactory/sdk";
import type { Hex } from "viem";
import type { AppConfig } from "../../config/app-config.ts";
import { catJson } from "../../lib/content-api.ts";
import { indexerQuery } from "./indexer.ts";

/** A receipt as the index and the content store hold it, with the model's trainer endpoint. */
export type IndexedReceipt = ReceiptStatus & { modelId: string; trainerEndpoint: string | null; receiptsURI: string };

type Row = {
  batch: { batchId: string; receiptsRoot: Hex; receiptsURI: string; transactionHash: Hex };
  model: { id: string; trainer: { endpoint: string } | null };
};

export async function fetchReceiptFromIndex(config: AppConfig, receiptId: string): Promise<IndexedReceipt> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(receiptId)) throw new Error(`"${receiptId}" is not a receipt id (0x and 64 hex digits).`);
  const key = receiptId.slice(0, 14).toLowerCase();
  const { receipts } = await indexerQuery<{ receipts: Row[] }>(
    config,
    `query Receipt($key: Bytes!) { receipts(first: 10, where: { key: $key }) { batch { batchId receiptsRoot receiptsURI transactionHash } model { id trainer { endpoint } } } }`,
    { key },
  );
  if (receipts.length === 0)
    throw new Error(`No posted batch holds receipt ${receiptId} yet: it is pending at its trainer node, or it does not exist.`);
  // Several batches can share a 6-byte key; only one holds the full id.
  for (const row of receipts) {
    const doc = parseReceiptBatchDocument(await catJson<unknown>(config.contentApiUrl, row.batch.receiptsURI));
    const receipt = doc.receipts.find((r) => r.receiptId.toLowerCase() === receiptId.toLowerCase());
    if (!receipt) continue;
    const leaves = doc.receipts.map(receiptLeafFromDocument);
    const tree = buildReceiptTree(leaves);
    if (tree.root.toLowerCase() !== row.batch.receiptsRoot.toLowerCase()) {
      throw new Error(`The batch document at ${row.batch.receiptsURI} does not give batch #${row.batch.batchId}'s on-chain root.`);
    }
    return {
      receipt,
      leaf: leafToJson(leaves[doc.receipts.indexOf(receipt)]!),
      status: "posted",
      batchId: row.batch.batchId,
      root: tree.root,
      proof: receiptProof(tree, receipt.receiptId),
      transactionHash: row.batch.transactionHash,
      modelId: row.model.id,
      trainerEndpoint: row.model.trainer?.endpoint ?? null,
      receiptsURI: row.batch.receiptsURI,
    };
  }
  throw new Error(`No posted batch document lists receipt ${receiptId}.`);
}
