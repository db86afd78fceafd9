// Attribution batches, their receipts and citations, decoded from the packed `citations` bytes
// of the event: one group per receipt of 8-byte big-endian words, a header (bytes6 receipt key,
// uint8 retrieval count, uint8 training count) then the retrieval citations, then the training
// ones (uint48 contribution id, uint16 weight). The ledger refuses unknown contribution ids,
// malformed groups and lists over 10,000 bp, so every citation links to its contribution and
// kind, and no receipt's list adds more than 10,000 bp. Batches of ledgers before the two lists
// (uint16 count) are not told apart by this handler: an index of such a chain keeps the
// version that indexed it. Also the serving nodes a model's builder authorizes.
import { Address, BigInt, Bytes } from "@graphprotocol/graph-ts";
import { AttributionBatchPosted, ServingNodeAuthorized, ServingNodeRevoked } from "../../generated/AttributionLedger/AttributionLedger";
import {
  Account,
  AttributionBatch,
  Citation,
  Contribution,
  Datanet,
  DatanetContributor,
  Model,
  Receipt,
  ServingNode,
  TrainerNode,
} from "../../generated/schema";
import { datanetAccountId, getOrCreateAccount, getProtocol, ONE, ZERO } from "./shared";

const CITATION_SIZE = 8;

/** The uint48 contribution id of the packed citation at byte offset `o`. */
function citedId(packed: Bytes, o: i32): u64 {
  let id: u64 = 0;
  for (let i = 0; i < 6; i++) id = (id << 8) | (packed[o + i] as u64);
  return id;
}

/** The uint16 at byte offset `o` + 6: a citation's weight. */
function citedWeight(packed: Bytes, o: i32): i32 {
  return ((packed[o + 6] as i32) << 8) | (packed[o + 7] as i32);
}

/** Records the citation at byte offset `o` (index `i` in the batch); returns its weight. */
function handleCitation(
  event: AttributionBatchPosted,
  model: Model,
  receiptId: string,
  batchId: string,
  i: i32,
  packed: Bytes,
  o: i32,
  training: boolean,
): i32 {
  const contributionId = BigInt.fromU64(citedId(packed, o));
  const weight = citedWeight(packed, o);
  const weightBig = BigInt.fromI32(weight);

  const citation = new Citation(batchId + "-" + i.toString());
  citation.batch = batchId;
  citation.receipt = receiptId;
  citation.index = i;
  citation.kind = training ? "training" : "retrieval";
  citation.model = model.id;
  citation.contributionId = contributionId;
  citation.weight = weight;
  citation.blockNumber = event.block.number;
  citation.timestamp = event.block.timestamp;
  citation.transactionHash = event.transaction.hash;

  // The ledger refuses unknown ids; the check stays so an index of an older ledger keeps working.
  const contribution = Contribution.load(contributionId.toString());
  if (contribution != null) {
    citation.contribution = contribution.id;
    citation.datanet = contribution.datanet;
    citation.contributor = contribution.contributor;

    contribution.citationCount += 1;
    contribution.totalCitationWeight = contribution.totalCitationWeight.plus(weightBig);
    if (training) {
      contribution.trainingCitationCount += 1;
      contribution.totalTrainingWeight = contribution.totalTrainingWeight.plus(weightBig);
    }
    contribution.save();

    const datanet = Datanet.load(contribution.datanet)!;
    datanet.citationCount = datanet.citationCount.plus(ONE);
    datanet.totalCitationWeight = datanet.totalCitationWeight.plus(weightBig);
    datanet.save();

    const contributor = Address.fromBytes(contribution.contributor);
    const entry = DatanetContributor.load(datanetAccountId(datanet.id, contributor))!;
    entry.citationCount = entry.citationCount.plus(ONE);
    entry.totalCitationWeight = entry.totalCitationWeight.plus(weightBig);
    entry.save();

    const account = Account.load(contribution.contributor)!;
    account.citationCount = account.citationCount.plus(ONE);
    account.totalCitationWeight = account.totalCitationWeight.plus(weightBig);
    account.save();
  }
  citation.save();
  return weight;
}

export function handleAttributionBatchPosted(event: AttributionBatchPosted): void {
  const packed = event.params.citations;
  const batchId = event.params.batchId.toString();
  const model = Model.load(event.params.modelId.toString())!;
  let totalWeight = ZERO;
  let count = 0;
  let group = 0;
  let o = 0;

  while (o < packed.length) {
    const receipt = new Receipt(batchId + "-" + group.toString());
    receipt.key = Bytes.fromUint8Array(packed.subarray(o, o + 6));
    receipt.batch = batchId;
    receipt.model = model.id;
    receipt.index = group;
    const retrieval = packed[o + 6] as i32;
    const training = packed[o + 7] as i32;
    receipt.citationCount = retrieval + training;
    receipt.retrievalCount = retrieval;
    receipt.trainingCount = training;
    receipt.blockNumber = event.block.number;
    receipt.timestamp = event.block.timestamp;
    receipt.transactionHash = event.transaction.hash;
    o += CITATION_SIZE;
    let retrievalWeight = 0;
    let trainingWeight = 0;
    for (let j = 0; j < retrieval + training; j++) {
      const weight = handleCitation(event, model, receipt.id, batchId, count, packed, o, j >= retrieval);
      if (j < retrieval) retrievalWeight += weight;
      else trainingWeight += weight;
      o += CITATION_SIZE;
      count += 1;
    }
    receipt.totalWeight = retrievalWeight;
    receipt.trainingWeight = trainingWeight;
    receipt.save();
    totalWeight = totalWeight.plus(BigInt.fromI32(retrievalWeight + trainingWeight));
    group += 1;
  }

  const batch = new AttributionBatch(batchId);
  batch.batchId = event.params.batchId;
  batch.model = model.id;
  batch.trainer = event.params.trainer;
  batch.receiptsRoot = event.params.receiptsRoot;
  batch.receiptsURI = event.params.receiptsURI;
  batch.receiptCount = group;
  batch.citationCount = count;
  batch.totalWeight = totalWeight;
  batch.blockNumber = event.block.number;
  batch.timestamp = event.block.timestamp;
  batch.transactionHash = event.transaction.hash;
  batch.save();

  const receipts = event.params.receiptCount;
  const citations = BigInt.fromI32(count);
  model.attributionBatchCount += 1;
  model.receiptCount = model.receiptCount.plus(receipts);
  model.citationCount = model.citationCount.plus(citations);
  model.save();

  const trainer = TrainerNode.load(event.params.trainer)!;
  trainer.attributionBatchCount += 1;
  trainer.save();

  const protocol = getProtocol();
  protocol.attributionBatchCount += 1;
  protocol.receiptCount = protocol.receiptCount.plus(receipts);
  protocol.citationCount = protocol.citationCount.plus(citations);
  protocol.save();
}

function servingNode(modelId: BigInt, node: Address): ServingNode {
  const id = modelId.toString() + "-" + node.toHexString();
  let entry = ServingNode.load(id);
  if (entry == null) {
    entry = new ServingNode(id);
    entry.model = modelId.toString();
    entry.authorized = false;
  }
  return entry;
}

export function handleServingNodeAuthorized(event: ServingNodeAuthorized): void {
  const entry = servingNode(event.params.modelId, event.params.node);
  entry.node = getOrCreateAccount(event.params.node, event).id;
  entry.authorized = true;
  entry.updatedAt = event.block.timestamp;
  entry.save();
}

export function handleServingNodeRevoked(event: ServingNodeRevoked): void {
  const entry = servingNode(event.params.modelId, event.params.node);
  entry.authorized = false;
  entry.updatedAt = event.block.timestamp;
  entry.save();
}
