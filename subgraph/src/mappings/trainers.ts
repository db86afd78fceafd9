// Trainer nodes: admission by the protocol admin, operator updates, on/off switch, removal.
import { ethereum } from "@graphprotocol/graph-ts";
import { TrainerAdmitted, TrainerRemoved, TrainerStatusChanged, TrainerUpdated } from "../../generated/TrainerRegistry/TrainerRegistry";
import { TrainerChange, TrainerNode } from "../../generated/schema";
import { getOrCreateAccount, getProtocol, logId } from "./shared";

function recordChange(trainer: TrainerNode, kind: string, event: ethereum.Event): TrainerChange {
  const change = new TrainerChange(logId(event));
  change.trainer = trainer.id;
  change.kind = kind;
  change.blockNumber = event.block.number;
  change.timestamp = event.block.timestamp;
  change.transactionHash = event.transaction.hash;
  return change;
}

export function handleTrainerAdmitted(event: TrainerAdmitted): void {
  const account = getOrCreateAccount(event.params.operator, event);
  // A removed operator can be admitted again: its node keeps its history and counters.
  let trainer = TrainerNode.load(event.params.operator);
  if (trainer == null) {
    trainer = new TrainerNode(event.params.operator);
    trainer.account = account.id;
    trainer.claimCount = 0;
    trainer.completedJobCount = 0;
    trainer.failedJobCount = 0;
    trainer.attributionBatchCount = 0;
  }
  trainer.endpoint = event.params.endpoint;
  trainer.metadataURI = event.params.metadataURI;
  trainer.admitted = true;
  trainer.active = true;
  trainer.admittedAt = event.block.timestamp;
  trainer.removedAt = null;
  trainer.updatedAt = event.block.timestamp;
  trainer.save();

  const protocol = getProtocol();
  protocol.trainerCount += 1;
  protocol.save();

  const change = recordChange(trainer, "Admitted", event);
  change.endpoint = trainer.endpoint;
  change.metadataURI = trainer.metadataURI;
  change.save();
}

export function handleTrainerUpdated(event: TrainerUpdated): void {
  const trainer = TrainerNode.load(event.params.operator)!;
  trainer.endpoint = event.params.endpoint;
  trainer.metadataURI = event.params.metadataURI;
  trainer.updatedAt = event.block.timestamp;
  trainer.save();
  const change = recordChange(trainer, "Updated", event);
  change.endpoint = trainer.endpoint;
  change.metadataURI = trainer.metadataURI;
  change.save();
}

export function handleTrainerStatusChanged(event: TrainerStatusChanged): void {
  const trainer = TrainerNode.load(event.params.operator)!;
  trainer.active = event.params.active;
  trainer.updatedAt = event.block.timestamp;
  trainer.save();
  recordChange(trainer, event.params.active ? "Activated" : "Deactivated", event).save();
}

export function handleTrainerRemoved(event: TrainerRemoved): void {
  const trainer = TrainerNode.load(event.params.operator)!;
  trainer.admitted = false;
  trainer.active = false;
  trainer.removedAt = event.block.timestamp;
  trainer.updatedAt = event.block.timestamp;
  trainer.save();

  const protocol = getProtocol();
  protocol.trainerCount -= 1;
  protocol.save();

  recordChange(trainer, "Removed", event).save();
}
