// A contribution as the chain registered it, the way receipts, citations and training
// influences name it. Browser-safe.
import type { Address, Hex } from "viem";

/** What the chain says about a cited contribution (from its `ContributionRegistered` event); ids as decimal strings. */
export type ContributionMeta = {
  contributionId: string;
  datanetId: string;
  contributor: Address;
  /** Unix seconds of the registering block. */
  timestamp: number;
  transactionHash: Hex;
  contentId: string;
  metadataURI: string;
};
