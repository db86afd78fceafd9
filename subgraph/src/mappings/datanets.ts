// Datanets: creation, metadata and policy updates, approvers and two-step ownership transfer.
import { Address, Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  ApproverAdded,
  ApproversCleared,
  ApproverRemoved,
  DatanetCreated,
  DatanetMetadataUpdated,
  DatanetOwnershipTransferred,
  DatanetOwnershipTransferStarted,
  DatanetPoliciesUpdated,
} from "../../generated/DatanetRegistry/DatanetRegistry";
import { Datanet, DatanetApprover, DatanetChange } from "../../generated/schema";
import { accessPolicyName, contributionPolicyName, datanetAccountId, getOrCreateAccount, getProtocol, logId, ZERO } from "./shared";

function recordChange(datanet: Datanet, kind: string, event: ethereum.Event): DatanetChange {
  const change = new DatanetChange(logId(event));
  change.datanet = datanet.id;
  change.kind = kind;
  change.actor = getOrCreateAccount(event.transaction.from, event).id;
  change.blockNumber = event.block.number;
  change.timestamp = event.block.timestamp;
  change.transactionHash = event.transaction.hash;
  return change;
}

export function handleDatanetCreated(event: DatanetCreated): void {
  const owner = getOrCreateAccount(event.params.owner, event);
  const datanet = new Datanet(event.params.datanetId.toString());
  datanet.datanetId = event.params.datanetId;
  datanet.owner = owner.id;
  datanet.metadataURI = event.params.metadataURI;
  datanet.license = event.params.license;
  datanet.accessPolicy = accessPolicyName(event.params.accessPolicy);
  datanet.contributionPolicy = contributionPolicyName(event.params.contributionPolicy);
  datanet.approverCount = 0;
  datanet.activeApprovers = [];
  datanet.contributionCount = 0;
  datanet.pendingContributionCount = 0;
  datanet.acceptedContributionCount = 0;
  datanet.rejectedContributionCount = 0;
  datanet.withdrawnContributionCount = 0;
  datanet.contributorCount = 0;
  datanet.jobCount = 0;
  datanet.citationCount = ZERO;
  datanet.totalCitationWeight = ZERO;
  datanet.createdAt = event.block.timestamp;
  datanet.createdAtBlock = event.block.number;
  datanet.createdTx = event.transaction.hash;
  datanet.updatedAt = event.block.timestamp;
  datanet.save();

  const protocol = getProtocol();
  protocol.datanetCount += 1;
  protocol.save();

  const change = recordChange(datanet, "Created", event);
  change.metadataURI = datanet.metadataURI;
  change.license = datanet.license;
  change.accessPolicy = datanet.accessPolicy;
  change.contributionPolicy = datanet.contributionPolicy;
  change.save();
}

export function handleDatanetMetadataUpdated(event: DatanetMetadataUpdated): void {
  const datanet = Datanet.load(event.params.datanetId.toString())!;
  datanet.metadataURI = event.params.metadataURI;
  datanet.license = event.params.license;
  datanet.updatedAt = event.block.timestamp;
  datanet.save();
  const change = recordChange(datanet, "MetadataUpdated", event);
  change.metadataURI = datanet.metadataURI;
  change.license = datanet.license;
  change.save();
}

export function handleDatanetPoliciesUpdated(event: DatanetPoliciesUpdated): void {
  const datanet = Datanet.load(event.params.datanetId.toString())!;
  datanet.accessPolicy = accessPolicyName(event.params.accessPolicy);
  datanet.contributionPolicy = contributionPolicyName(event.params.contributionPolicy);
  datanet.updatedAt = event.block.timestamp;
  datanet.save();
  const change = recordChange(datanet, "PoliciesUpdated", event);
  change.accessPolicy = datanet.accessPolicy;
  change.contributionPolicy = datanet.contributionPolicy;
  change.save();
}

function setApprover(datanet: Datanet, approver: Address, active: boolean, event: ethereum.Event): void {
  const id = datanetAccountId(datanet.id, approver);
  let entry = DatanetApprover.load(id);
  if (entry == null) {
    entry = new DatanetApprover(id);
    entry.datanet = datanet.id;
    entry.approver = getOrCreateAccount(approver, event).id;
    entry.addedAt = event.block.timestamp;
  }
  if (active) {
    entry.addedAt = event.block.timestamp;
    entry.removedAt = null;
  } else {
    entry.removedAt = event.block.timestamp;
  }
  entry.active = active;
  entry.save();

  datanet.approverCount += active ? 1 : -1;
  const list = datanet.activeApprovers;
  const next: Bytes[] = [];
  for (let i = 0; i < list.length; i++) if (list[i] != approver) next.push(list[i]);
  if (active) next.push(approver);
  datanet.activeApprovers = next;
  datanet.updatedAt = event.block.timestamp;
  datanet.save();
  const change = recordChange(datanet, active ? "ApproverAdded" : "ApproverRemoved", event);
  change.account = entry.approver;
  change.save();
}

export function handleApproverAdded(event: ApproverAdded): void {
  setApprover(Datanet.load(event.params.datanetId.toString())!, event.params.approver, true, event);
}

export function handleApproverRemoved(event: ApproverRemoved): void {
  setApprover(Datanet.load(event.params.datanetId.toString())!, event.params.approver, false, event);
}

export function handleDatanetOwnershipTransferStarted(event: DatanetOwnershipTransferStarted): void {
  const datanet = Datanet.load(event.params.datanetId.toString())!;
  datanet.pendingOwner = getOrCreateAccount(event.params.pendingOwner, event).id;
  datanet.updatedAt = event.block.timestamp;
  datanet.save();
  const change = recordChange(datanet, "OwnershipTransferStarted", event);
  change.account = datanet.pendingOwner;
  change.save();
}

export function handleDatanetOwnershipTransferred(event: DatanetOwnershipTransferred): void {
  const datanet = Datanet.load(event.params.datanetId.toString())!;
  datanet.owner = getOrCreateAccount(event.params.newOwner, event).id;
  datanet.pendingOwner = null;
  datanet.updatedAt = event.block.timestamp;
  datanet.save();
  const change = recordChange(datanet, "OwnershipTransferred", event);
  change.account = datanet.owner;
  change.save();
}

export function handleApproversCleared(event: ApproversCleared): void {
  const datanet = Datanet.load(event.params.datanetId.toString())!;
  const list = datanet.activeApprovers;
  for (let i = 0; i < list.length; i++) {
    const entry = DatanetApprover.load(datanetAccountId(datanet.id, Address.fromBytes(list[i])))!;
    entry.active = false;
    entry.removedAt = event.block.timestamp;
    entry.save();
  }
  datanet.activeApprovers = [];
  datanet.approverCount = 0;
  datanet.updatedAt = event.block.timestamp;
  datanet.save();
  recordChange(datanet, "ApproversCleared", event).save();
}
