// The subgraph's entities as the GUI reads them (subgraph/schema.graphql; ids and BigInts
// arrive as strings).
import type { DatanetMetadata } from "./datanet-metadata.ts";

export type DatanetEntity = {
  id: string;
  owner: { id: string };
  metadataURI: string;
  license: string;
  accessPolicy: "Open" | "Permissioned";
  contributionPolicy: "Open" | "Curated";
  approverCount: number;
  contributionCount: number;
  pendingContributionCount: number;
  acceptedContributionCount: number;
  contributorCount: number;
  jobCount: number;
  citationCount: string;
  createdAt: string;
  createdTx: string;
};

export type Datanet = DatanetEntity & { metadata: DatanetMetadata | null };

export type ContributionEntity = {
  id: string;
  datanet: { id: string };
  contributor: { id: string };
  contentHash: string;
  contentId: string;
  metadataURI: string;
  status: "Pending" | "Accepted" | "Rejected" | "Withdrawn";
  statusReason: string | null;
  citationCount: number;
  totalCitationWeight: string;
  createdAt: string;
  createdTx: string;
};

export type AccessRequestEntity = {
  id: string;
  datanet: { id: string };
  requester: { id: string };
  scopes: number;
  purposeURI: string;
  status: "Pending" | "Granted" | "Denied";
  createdAt: string;
};

export type AccessGrantEntity = {
  id: string;
  datanet: { id: string };
  grantee: { id: string };
  approver: { id: string };
  scopes: number;
  expiresAt: string;
  bySignature: boolean;
  active: boolean;
  grantedAt: string;
  grantedTx: string;
};

export type ModelEntity = {
  id: string;
  job: { id: string; specURI: string; specHash: string; snapshotBlock: string };
  builder: { id: string };
  trainer: { id: string; endpoint: string };
  datanets: { id: string }[];
  adapterCID: string;
  adapterHash: string;
  metricsURI: string;
  manifestRoot: string;
  /** Where the manifest document is stored (content store), as `completeJob` recorded it. */
  manifestURI: string;
  receiptCount: string;
  citationCount: string;
  createdAt: string;
  createdTx: string;
};

export type TrainingJobEntity = {
  id: string;
  builder: { id: string };
  datanets: { id: string }[];
  specURI: string;
  specHash: string;
  snapshotBlock: string;
  state: "Open" | "Claimed" | "Completed" | "Failed" | "Cancelled";
  trainer: { id: string; endpoint: string } | null;
  failureReason: string | null;
  model: { id: string } | null;
  createdAt: string;
  createdTx: string;
};

export type CitationEntity = {
  id: string;
  batch: { id: string; transactionHash: string; receiptsRoot: string };
  model: { id: string };
  contributionId: string;
  contributor: { id: string } | null;
  datanet: { id: string } | null;
  weight: number;
  timestamp: string;
  transactionHash: string;
};
