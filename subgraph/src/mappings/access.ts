// Access: requests, denials, grants by transaction or redeemed signature, revocations and
// cancelled signature nonces. A grant answers every open request of its grantee.
import { Address, log, store } from "@graphprotocol/graph-ts";
import {
  AccessGranted,
  AccessRequestDenied,
  AccessRequested,
  AccessRevoked,
  GrantSignatureCancelled,
} from "../../generated/DatanetRegistry/DatanetRegistry";
import { AccessGrant, AccessGrantChange, AccessRequest, GrantSignatureCancellation, OpenAccessRequest } from "../../generated/schema";
import { datanetAccountId, getOrCreateAccount, getProtocol, hasScope, logId, SCOPE_EVALUATE, SCOPE_RETRIEVE, SCOPE_TRAIN } from "./shared";

export function handleAccessRequested(event: AccessRequested): void {
  const requester = getOrCreateAccount(event.params.requester, event);
  const scopes = event.params.scopes;
  const request = new AccessRequest(event.params.requestId.toString());
  request.requestId = event.params.requestId;
  request.datanet = event.params.datanetId.toString();
  request.requester = requester.id;
  request.scopes = scopes;
  request.canTrain = hasScope(scopes, SCOPE_TRAIN);
  request.canRetrieve = hasScope(scopes, SCOPE_RETRIEVE);
  request.canEvaluate = hasScope(scopes, SCOPE_EVALUATE);
  request.purposeURI = event.params.purposeURI;
  request.status = "Pending";
  request.createdAt = event.block.timestamp;
  request.createdAtBlock = event.block.number;
  request.createdTx = event.transaction.hash;
  request.save();

  const openId = datanetAccountId(event.params.datanetId.toString(), event.params.requester);
  let open = OpenAccessRequest.load(openId);
  if (open == null) {
    open = new OpenAccessRequest(openId);
    open.datanet = request.datanet;
    open.requester = requester.id;
    open.requests = [];
  }
  const requests = open.requests;
  requests.push(request.id);
  open.requests = requests;
  open.save();

  const protocol = getProtocol();
  protocol.accessRequestCount += 1;
  protocol.save();
}

export function handleAccessRequestDenied(event: AccessRequestDenied): void {
  // The contract checks only that the caller approves for the Datanet, not that the request
  // belongs to it: ignore denials that do not match an open request of that Datanet.
  const request = AccessRequest.load(event.params.requestId.toString());
  const datanetId = event.params.datanetId.toString();
  if (request == null || request.datanet != datanetId || request.status != "Pending") {
    log.warning("Ignoring denial of request {} for Datanet {}: no such open request", [event.params.requestId.toString(), datanetId]);
    return;
  }
  request.status = "Denied";
  request.decidedBy = getOrCreateAccount(event.params.approver, event).id;
  request.denialReason = event.params.reason;
  request.decidedAt = event.block.timestamp;
  request.save();

  const openId = datanetAccountId(datanetId, Address.fromBytes(request.requester));
  const open = OpenAccessRequest.load(openId);
  if (open == null) return;
  const remaining: string[] = [];
  const requests = open.requests;
  for (let i = 0; i < requests.length; i++) if (requests[i] != request.id) remaining.push(requests[i]);
  if (remaining.length == 0) {
    store.remove("OpenAccessRequest", openId);
  } else {
    open.requests = remaining;
    open.save();
  }
}

export function handleAccessGranted(event: AccessGranted): void {
  const grantee = getOrCreateAccount(event.params.grantee, event);
  const approver = getOrCreateAccount(event.params.approver, event);
  const submitter = getOrCreateAccount(event.transaction.from, event);
  const id = datanetAccountId(event.params.datanetId.toString(), event.params.grantee);
  const scopes = event.params.scopes;

  let grant = AccessGrant.load(id);
  if (grant == null) grant = new AccessGrant(id);
  grant.datanet = event.params.datanetId.toString();
  grant.grantee = grantee.id;
  grant.approver = approver.id;
  grant.scopes = scopes;
  grant.canTrain = hasScope(scopes, SCOPE_TRAIN);
  grant.canRetrieve = hasScope(scopes, SCOPE_RETRIEVE);
  grant.canEvaluate = hasScope(scopes, SCOPE_EVALUATE);
  grant.expiresAt = event.params.expiresAt;
  grant.nonce = event.params.nonce;
  grant.bySignature = event.params.bySignature;
  grant.submittedBy = submitter.id;
  grant.active = true;
  grant.revokedBy = null;
  grant.revokedAt = null;
  grant.grantedAt = event.block.timestamp;
  grant.grantedAtBlock = event.block.number;
  grant.grantedTx = event.transaction.hash;
  grant.save();

  const change = new AccessGrantChange(logId(event));
  change.grant = id;
  change.datanet = grant.datanet;
  change.grantee = grantee.id;
  change.approver = approver.id;
  change.kind = "Granted";
  change.scopes = scopes;
  change.expiresAt = event.params.expiresAt;
  change.nonce = event.params.nonce;
  change.bySignature = event.params.bySignature;
  change.blockNumber = event.block.number;
  change.timestamp = event.block.timestamp;
  change.transactionHash = event.transaction.hash;
  change.save();

  const open = OpenAccessRequest.load(id);
  if (open != null) {
    const requests = open.requests;
    for (let i = 0; i < requests.length; i++) {
      const request = AccessRequest.load(requests[i])!;
      request.status = "Granted";
      request.decidedBy = approver.id;
      request.grant = id;
      request.decidedAt = event.block.timestamp;
      request.save();
    }
    store.remove("OpenAccessRequest", id);
  }

  const protocol = getProtocol();
  protocol.accessGrantCount += 1;
  protocol.save();
}

export function handleAccessRevoked(event: AccessRevoked): void {
  const id = datanetAccountId(event.params.datanetId.toString(), event.params.grantee);
  const grant = AccessGrant.load(id)!;
  const approver = getOrCreateAccount(event.params.approver, event);
  grant.active = false;
  grant.revokedBy = approver.id;
  grant.revokedAt = event.block.timestamp;
  grant.save();

  const change = new AccessGrantChange(logId(event));
  change.grant = id;
  change.datanet = grant.datanet;
  change.grantee = grant.grantee;
  change.approver = approver.id;
  change.kind = "Revoked";
  change.blockNumber = event.block.number;
  change.timestamp = event.block.timestamp;
  change.transactionHash = event.transaction.hash;
  change.save();
}

export function handleGrantSignatureCancelled(event: GrantSignatureCancelled): void {
  const cancellation = new GrantSignatureCancellation(logId(event));
  cancellation.approver = getOrCreateAccount(event.params.approver, event).id;
  cancellation.nonce = event.params.nonce;
  cancellation.blockNumber = event.block.number;
  cancellation.timestamp = event.block.timestamp;
  cancellation.transactionHash = event.transaction.hash;
  cancellation.save();
}
