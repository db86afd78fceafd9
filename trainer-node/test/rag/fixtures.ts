// Shared test data for the retrieval tests.
import type { Hex } from "viem";
import type { ContributionMetaInput } from "../../src/rag/datanet-index.ts";

/** Contribution metadata with values derived from `id`. */
export function meta(id: number, datanetId: number): ContributionMetaInput {
  return {
    contributionId: BigInt(id),
    datanetId: BigInt(datanetId),
    contributor: "0x00000000000000000000000000000000000000c1",
    timestamp: 1_700_000_000 + id,
    transactionHash: `0x${id.toString(16).padStart(64, "0")}` as Hex,
    contentId: `bafy${id}`,
    metadataURI: `ipfs://meta${id}`,
  };
}
