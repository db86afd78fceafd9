// Helpers shared by every mapping file: the protocol singleton, accounts, log ids and the
// names of the contracts' enums and scope bits as the schema spells them.
import { Address, BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import { Account, Protocol } from "../../generated/schema";

export const PROTOCOL_ID = "modelfactory";
export const ZERO = BigInt.zero();
export const ONE = BigInt.fromI32(1);

export const SCOPE_TRAIN = 1;
export const SCOPE_RETRIEVE = 2;
export const SCOPE_EVALUATE = 4;

/** The protocol-wide totals, created with zeros on first use. */
export function getProtocol(): Protocol {
  let protocol = Protocol.load(PROTOCOL_ID);
  if (protocol == null) {
    protocol = new Protocol(PROTOCOL_ID);
    protocol.accountCount = 0;
    protocol.datanetCount = 0;
    protocol.contributionCount = 0;
    protocol.acceptedContributionCount = 0;
    protocol.accessRequestCount = 0;
    protocol.accessGrantCount = 0;
    protocol.trainerCount = 0;
    protocol.jobCount = 0;
    protocol.modelCount = 0;
    protocol.attributionBatchCount = 0;
    protocol.receiptCount = ZERO;
    protocol.citationCount = ZERO;
  }
  return protocol;
}

/** The account of `address`, created (and counted) the first time it appears. */
export function getOrCreateAccount(address: Address, event: ethereum.Event): Account {
  let account = Account.load(address);
  if (account == null) {
    account = new Account(address);
    account.contributionCount = 0;
    account.acceptedContributionCount = 0;
    account.citationCount = ZERO;
    account.totalCitationWeight = ZERO;
    account.jobCount = 0;
    account.modelCount = 0;
    account.firstSeenAt = event.block.timestamp;
    account.firstSeenAtBlock = event.block.number;
    account.save();
    const protocol = getProtocol();
    protocol.accountCount += 1;
    protocol.save();
  }
  return account;
}

/** Id of an immutable log entity: transaction hash then log index. */
export function logId(event: ethereum.Event): Bytes {
  return event.transaction.hash.concatI32(event.logIndex.toI32());
}

/** Id of a per-Datanet, per-account entity: "<datanetId>-<address>". */
export function datanetAccountId(datanetId: string, account: Address): string {
  return datanetId + "-" + account.toHexString();
}

export function accessPolicyName(value: i32): string {
  return value == 0 ? "Open" : "Permissioned";
}

export function contributionPolicyName(value: i32): string {
  return value == 0 ? "Open" : "Curated";
}

/** ContributionStatus of IContributions: 1 Pending, 2 Accepted, 3 Rejected, 4 Withdrawn. */
export function contributionStatusName(value: i32): string {
  if (value == 1) return "Pending";
  if (value == 2) return "Accepted";
  if (value == 3) return "Rejected";
  if (value == 4) return "Withdrawn";
  throw new Error("Unknown contribution status " + value.toString());
}

export function hasScope(scopes: i32, scope: i32): boolean {
  return (scopes & scope) == scope;
}
