// Contributions: registration and review (accept, reject, withdraw), with the per-Datanet,
// per-contributor and protocol counters kept in step with each status change.
import { Address, ethereum } from "@graphprotocol/graph-ts";
import {
  ContributionRegistered,
  ContributionReviewSkipped,
  ContributionStatusChanged,
} from "../../generated/DatanetRegistry/DatanetRegistry";
import {
  Account,
  Contribution,
  ContributionReviewSkip,
  ContributionStatusChange,
  Datanet,
  DatanetContributor,
} from "../../generated/schema";
import { contributionStatusName, datanetAccountId, getOrCreateAccount, getProtocol, logId, ZERO } from "./shared";

/** Moves one contribution between the Datanet's per-status counters. */
function countStatus(datanet: Datanet, status: string, delta: i32): void {
  if (status == "Pending") datanet.pendingContributionCount += delta;
  else if (status == "Accepted") datanet.acceptedContributionCount += delta;
  else if (status == "Rejected") datanet.rejectedContributionCount += delta;
  else if (status == "Withdrawn") datanet.withdrawnContributionCount += delta;
}

/** The contributor's entry in a Datanet, created (and counted on the Datanet) on first use. */
export function getOrCreateDatanetContributor(datanet: Datanet, contributor: Address, event: ethereum.Event): DatanetContributor {
  const id = datanetAccountId(datanet.id, contributor);
  let entry = DatanetContributor.load(id);
  if (entry == null) {
    entry = new DatanetContributor(id);
    entry.datanet = datanet.id;
    entry.contributor = contributor;
    entry.contributionCount = 0;
    entry.acceptedContributionCount = 0;
    entry.citationCount = ZERO;
    entry.totalCitationWeight = ZERO;
    entry.firstContributionAt = event.block.timestamp;
    datanet.contributorCount += 1;
  }
  return entry;
}

export function handleContributionRegistered(event: ContributionRegistered): void {
  const account = getOrCreateAccount(event.params.contributor, event);
  const datanet = Datanet.load(event.params.datanetId.toString())!;
  const status = contributionStatusName(event.params.status);
  const accepted = status == "Accepted";

  const contribution = new Contribution(event.params.contributionId.toString());
  contribution.contributionId = event.params.contributionId;
  contribution.datanet = datanet.id;
  contribution.contributor = account.id;
  contribution.contentHash = event.params.contentHash;
  contribution.contentId = event.params.contentId;
  contribution.metadataURI = event.params.metadataURI;
  contribution.status = status;
  contribution.citationCount = 0;
  contribution.totalCitationWeight = ZERO;
  contribution.trainingCitationCount = 0;
  contribution.totalTrainingWeight = ZERO;
  contribution.createdAt = event.block.timestamp;
  contribution.createdAtBlock = event.block.number;
  contribution.createdTx = event.transaction.hash;
  contribution.updatedAt = event.block.timestamp;
  contribution.save();

  const entry = getOrCreateDatanetContributor(datanet, event.params.contributor, event);
  entry.contributionCount += 1;
  if (accepted) entry.acceptedContributionCount += 1;
  entry.save();

  datanet.contributionCount += 1;
  countStatus(datanet, status, 1);
  datanet.updatedAt = event.block.timestamp;
  datanet.save();

  account.contributionCount += 1;
  if (accepted) account.acceptedContributionCount += 1;
  account.save();

  const protocol = getProtocol();
  protocol.contributionCount += 1;
  if (accepted) protocol.acceptedContributionCount += 1;
  protocol.save();
}

export function handleContributionStatusChanged(event: ContributionStatusChanged): void {
  const contribution = Contribution.load(event.params.contributionId.toString())!;
  const previous = contribution.status;
  const status = contributionStatusName(event.params.status);
  const actor = getOrCreateAccount(event.params.actor, event);

  contribution.status = status;
  contribution.statusReason = event.params.reason.length > 0 ? event.params.reason : null;
  contribution.reviewedBy = actor.id;
  contribution.updatedAt = event.block.timestamp;
  contribution.save();

  const change = new ContributionStatusChange(logId(event));
  change.contribution = contribution.id;
  change.datanet = contribution.datanet;
  change.actor = actor.id;
  change.status = status;
  change.reason = event.params.reason;
  change.blockNumber = event.block.number;
  change.timestamp = event.block.timestamp;
  change.transactionHash = event.transaction.hash;
  change.save();

  const datanet = Datanet.load(contribution.datanet)!;
  countStatus(datanet, previous, -1);
  countStatus(datanet, status, 1);
  datanet.updatedAt = event.block.timestamp;
  datanet.save();

  // Only entering or leaving Accepted moves the accepted counters.
  const delta: i32 = (status == "Accepted" ? 1 : 0) - (previous == "Accepted" ? 1 : 0);
  if (delta == 0) return;
  const contributor = Address.fromBytes(contribution.contributor);
  const entry = DatanetContributor.load(datanetAccountId(datanet.id, contributor))!;
  entry.acceptedContributionCount += delta;
  entry.save();
  const account = Account.load(contribution.contributor)!;
  account.acceptedContributionCount += delta;
  account.save();
  const protocol = getProtocol();
  protocol.acceptedContributionCount += delta;
  protocol.save();
}

export function handleContributionReviewSkipped(event: ContributionReviewSkipped): void {
  const skip = new ContributionReviewSkip(logId(event));
  skip.contributionId = event.params.contributionId;
  const known = event.params.status != 0;
  if (known) {
    skip.contribution = event.params.contributionId.toString();
    skip.status = contributionStatusName(event.params.status);
  }
  skip.approver = getOrCreateAccount(event.params.approver, event).id;
  skip.blockNumber = event.block.number;
  skip.timestamp = event.block.timestamp;
  skip.transactionHash = event.transaction.hash;
  skip.save();
}
