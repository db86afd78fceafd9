// Attribution batches and their citations, decoded from the packed `citations` bytes of the
// event (8 bytes each: uint48 contribution id, uint16 weight, big-endian), with the citation
// counters of each cited contribution, its Datanet, its contributor and the model.
import { Address, BigInt, Bytes } from "@graphprotocol/graph-ts";
import { AttributionBatchPosted } from "../../generated/AttributionLedger/AttributionLedger";
import {
  Account,
  AttributionBatch,
  Citation,
  Contribution,
  Datanet,
  DatanetContributor,
  Model,
  TrainerNode,
} from "../../generated/schema";
import { datanetAccountId, getProtocol, ONE, ZERO } from "./shared";

const CITATION_SIZE = 8;

/** The uint48 contribution id of the packed citation at byte offset `o`. */
function citedId(packed: Bytes, o: i32): u64 {
  let id: u64 = 0;
  for (let i = 0; i < 6; i++) id = (id << 8) | (packed[o + i] as u64);
  return id;
}

/** The uint16 weight of the packed citation at byte offset `o`. */
function citedWeight(packed: Bytes, o: i32): i32 {
  return ((packed[o + 6] as i32) << 8) | (packed[o + 7] as i32);
}

export function handleAttributionBatchPosted(event: AttributionBatchPosted): void {
  const packed = event.params.citations;
  const count = packed.length / CITATION_SIZE;
  const batchId = event.params.batchId.toString();
  const model = Model.load(event.params.modelId.toString())!;
  let totalWeight = ZERO;

  for (let i = 0; i < count; i++) {
    const o = i * CITATION_SIZE;
    const contributionId = BigInt.fromU64(citedId(packed, o));
    const weight = citedWeight(packed, o);
    const weightBig = BigInt.fromI32(weight);
    totalWeight = totalWeight.plus(weightBig);

    const citation = new Citation(batchId + "-" + i.toString());
    citation.batch = batchId;
    citation.index = i;
    citation.model = model.id;
    citation.contributionId = contributionId;
    citation.weight = weight;
    citation.blockNumber = event.block.number;
    citation.timestamp = event.block.timestamp;
    citation.transactionHash = event.transaction.hash;

    // The ledger does not check cited ids: an unknown one is recorded without links.
    const contribution = Contribution.load(contributionId.toString());
    if (contribution != null) {
      citation.contribution = contribution.id;
      citation.datanet = contribution.datanet;
      citation.contributor = contribution.contributor;

      contribution.citationCount += 1;
      contribution.totalCitationWeight = contribution.totalCitationWeight.plus(weightBig);
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
  }

  const batch = new AttributionBatch(batchId);
  batch.batchId = event.params.batchId;
  batch.model = model.id;
  batch.trainer = event.params.trainer;
  batch.receiptsRoot = event.params.receiptsRoot;
  batch.receiptsURI = event.params.receiptsURI;
  batch.receiptCount = event.params.receiptCount.toI32();
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
