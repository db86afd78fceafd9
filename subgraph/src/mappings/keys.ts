// Datanet encryption keys (DatanetKeys): the key, its version and the key-service URL go onto
// the Datanet, and each set is a KeySet entry in the Datanet's history. Everything is in the event.
import { Bytes } from "@graphprotocol/graph-ts";
import { DatanetKeySet } from "../../generated/DatanetKeys/DatanetKeys";
import { Datanet, DatanetChange } from "../../generated/schema";
import { getOrCreateAccount, logId } from "./shared";

export function handleDatanetKeySet(event: DatanetKeySet): void {
  // The contract only accepts keys for existing Datanets, so the entity is there.
  const datanet = Datanet.load(event.params.datanetId.toString())!;
  datanet.encryptionKey = Bytes.fromUint8Array(event.params.publicKey);
  datanet.keyVersion = event.params.version;
  datanet.keyServiceURI = event.params.keyServiceURI;
  datanet.updatedAt = event.block.timestamp;
  datanet.save();

  const change = new DatanetChange(logId(event));
  change.datanet = datanet.id;
  change.kind = "KeySet";
  change.actor = getOrCreateAccount(event.transaction.from, event).id;
  change.encryptionKey = datanet.encryptionKey;
  change.keyVersion = event.params.version;
  change.keyServiceURI = event.params.keyServiceURI;
  change.blockNumber = event.block.number;
  change.timestamp = event.block.timestamp;
  change.transactionHash = event.transaction.hash;
  change.save();
}
