// Writes a log, its block and its transaction as the graph-ts `ethereum.Event` a handler
// receives (parameters decoded with the data source's ABI).
import type { AbiEvent } from "viem";
import type { RpcBlock, RpcLog, RpcTransaction } from "../chain/rpc.ts";
import { TypeId, type AscHeap } from "./asc-heap.ts";
import { hexToBytes, newBigInt, newEthereumValue } from "./values.ts";

const big = (heap: AscHeap, hex: string | undefined | null) => newBigInt(heap, BigInt(hex ?? "0x0"));
const bytes = (heap: AscHeap, hex: string) => heap.newBytes(hexToBytes(hex));

export type DecodedParam = { input: AbiEvent["inputs"][number]; value: unknown };

function newBlock(heap: AscHeap, b: RpcBlock): number {
  return heap.newObject(
    [
      bytes(heap, b.hash),
      bytes(heap, b.parentHash),
      bytes(heap, b.sha3Uncles),
      bytes(heap, b.miner),
      bytes(heap, b.stateRoot),
      bytes(heap, b.transactionsRoot),
      bytes(heap, b.receiptsRoot),
      big(heap, b.number),
      big(heap, b.gasUsed),
      big(heap, b.gasLimit),
      big(heap, b.timestamp),
      big(heap, b.difficulty),
      big(heap, b.totalDifficulty),
      b.size ? big(heap, b.size) : 0,
      b.baseFeePerGas ? big(heap, b.baseFeePerGas) : 0,
    ],
    TypeId.EthereumBlock,
  );
}

function newTransaction(heap: AscHeap, tx: RpcTransaction): number {
  return heap.newObject(
    [
      bytes(heap, tx.hash),
      big(heap, tx.transactionIndex),
      bytes(heap, tx.from),
      tx.to ? bytes(heap, tx.to) : 0,
      big(heap, tx.value),
      big(heap, tx.gas),
      big(heap, tx.gasPrice ?? tx.maxFeePerGas),
      bytes(heap, tx.input),
      big(heap, tx.nonce),
    ],
    TypeId.EthereumTransaction,
  );
}

/** The `ethereum.Event` of a log; `receipt` is null (the runner does not fetch receipts). */
export function newEvent(
  heap: AscHeap,
  log: RpcLog,
  block: RpcBlock,
  tx: RpcTransaction,
  params: DecodedParam[],
  transactionLogIndex: number,
): number {
  const parameters = params.map(({ input, value }) =>
    heap.newObject([heap.newString(input.name ?? ""), newEthereumValue(heap, input, value)], TypeId.EventParam),
  );
  return heap.newObject(
    [
      bytes(heap, log.address),
      big(heap, log.logIndex),
      newBigInt(heap, BigInt(transactionLogIndex)),
      0,
      newBlock(heap, block),
      newTransaction(heap, tx),
      heap.newPointerArray(parameters, TypeId.ArrayEventParam),
      0,
    ],
    TypeId.EthereumEvent,
  );
}
