// Retrieval-augmented fine-tuning (RAFT, Zhang et al. 2024) as a job's data preparation: each
// training record's question gets the passages BM25 retrieves for it from the job's training
// records, in the system message chat serves (rag/prompt.ts); in a seeded share of the records
// the record's own passage (the "oracle") is among them, in the rest only other passages, so the
// model learns both to answer from a source and to ignore sources that do not answer. Held-out
// records get the passages chat would serve for their question, retrieved from the training
// records only: a held-out record's text is never in any prompt.
import { createHash } from "node:crypto";
import type { DatasetRecord, TrainingSpec } from "@modelfactory/sdk";
import { DatanetIndex, type RetrievedPassage } from "./rag/datanet-index.ts";
import { conversationOf } from "./conversation.ts";
import { splitPassages } from "./rag/passages.ts";
import { SERVED_PASSAGES, servedMessages, sourcesPrompt } from "./rag/prompt.ts";
import type { ContributionInfo } from "./snapshot.ts";

export type RaftOptions = NonNullable<TrainingSpec["retrievalAugmented"]>;

/** A record and the contribution it came from, as the job runner keeps them through the split. */
export type SourcedRecord = { record: DatasetRecord; contributionId: string };

/** What the augmentation did, for the job's log and the bench. */
export type RaftStats = {
  /** Training records given sources (text records have no question and stay as they are). */
  augmented: number;
  /** Of them, those whose own passage is among their sources. */
  withOracle: number;
  /** Held-out records given sources. */
  evalAugmented: number;
  /** Mean length of the system messages written, in characters. */
  meanSystemChars: number;
  /** Records whose prompt and answer are likely longer than the spec's maxLength (about 4 characters a token). */
  likelyTruncated: number;
};

export type RaftInput<S extends { description: string }> = {
  contributions: readonly Pick<ContributionInfo, "id" | "datanetId" | "contributor" | "transactionHash" | "contentId" | "metadataURI">[];
  trainSide: readonly SourcedRecord[];
  evalSide: readonly SourcedRecord[];
  /** How the held-out records were chosen; the description gains how they are measured. */
  split: S;
  /** The job's split seed; the oracle share is drawn from it. */
  seed: string;
  maxLength: number;
};

/** Characters per token assumed when warning about truncation (English text in BPE tokenizers). */
const CHARS_PER_TOKEN = 4;
/** Passages searched beyond `k`, so the record's own passages can be dropped and k others still found. */
const SEARCH_SLACK = 8;

/**
 * The job's records rewritten as chat records with retrieved sources (see the module comment),
 * each keeping its contribution id, the split's description extended by how held-out answers are
 * measured, and what was done.
 * @example
 * const out = retrievalAugmented({ passages: 4, oracleShare: 0.8 }, { contributions, trainSide, evalSide, split, seed, maxLength: 768 })
 */
export function retrievalAugmented<S extends { description: string }>(
  options: RaftOptions,
  input: RaftInput<S>,
): { trainSide: SourcedRecord[]; evalSide: SourcedRecord[]; split: S; stats: RaftStats } {
  const { index, ownPassages } = trainingIndex(input.contributions, input.trainSide);
  const datanets = [...new Set(input.contributions.map((c) => c.datanetId.toString()))];
  let systemChars = 0;
  let systems = 0;
  let likelyTruncated = 0;
  let withOracle = 0;
  const augment = (x: SourcedRecord, k: number, oracle: boolean | null): SourcedRecord => {
    const conversation = conversationOf(x.record);
    if (!conversation) return x;
    const own = ownPassages.get(x) ?? new Set<string>();
    const hits = index.search(conversation.question, datanets, k + own.size + SEARCH_SLACK);
    const isOwn = (p: RetrievedPassage) => own.has(passageKey(p.contribution.contributionId, p.passage.start, p.passage.end));
    const others = hits.filter((p) => !isOwn(p));
    let chosen = others.slice(0, k);
    if (oracle) {
      // The record's best-scoring own passage replaces the weakest other one; the list stays in
      // score order, as chat shows it. An own passage BM25 does not reach stays out (rare: it
      // holds the question's words).
      const best = hits.find(isOwn);
      if (best) {
        chosen = [...others.slice(0, k - 1), best].sort((a, b) => b.score - a.score);
        withOracle++;
      }
    }
    const passages = chosen.map((p, i) => ({ ...p, rank: i + 1 }));
    const prompt = sourcesPrompt(passages);
    const messages = servedMessages(prompt, conversation.messages);
    if (prompt) {
      systemChars += prompt.system.length;
      systems++;
    }
    const chars = messages.reduce((n, m) => n + m.content.length, 0);
    if (chars > input.maxLength * CHARS_PER_TOKEN) likelyTruncated++;
    return { record: { schema: "modelfactory.record/1", kind: "chat", messages }, contributionId: x.contributionId };
  };
  const trainSide = input.trainSide.map((x, i) => augment(x, options.passages, oracleDraw(input.seed, i) < options.oracleShare));
  // Held-out questions get what chat would serve; an in-sample evaluation (nothing could be held
  // out) never shows a record its own passage either.
  const evalSide = input.evalSide.map((x) => augment(x, SERVED_PASSAGES, null));
  const augmented = trainSide.filter((x, i) => x !== input.trainSide[i]).length;
  const evalAugmented = evalSide.filter((x, i) => x !== input.evalSide[i]).length;
  const description = `${input.split.description} Retrieval-augmented: each training question was given ${options.passages} passage(s) retrieved from the training records in chat's system message (its own record among them in ${Math.round(options.oracleShare * 100)} %); held-out answers are measured as chat serves them, each question with the ${SERVED_PASSAGES} passages BM25 retrieves for it from the training records (never a held-out record's text), for the base and the tuned model alike.`;
  return {
    trainSide,
    evalSide,
    split: { ...input.split, description },
    stats: { augmented, withOracle, evalAugmented, meanSystemChars: systems ? Math.round(systemChars / systems) : 0, likelyTruncated },
  };
}

/** The BM25 index of the training records (per contribution, in file order) and each record's own passages in it. */
function trainingIndex(contributions: RaftInput<{ description: string }>["contributions"], trainSide: readonly SourcedRecord[]) {
  const byContribution = new Map<string, SourcedRecord[]>();
  for (const x of trainSide) {
    const list = byContribution.get(x.contributionId);
    if (list) list.push(x);
    else byContribution.set(x.contributionId, [x]);
  }
  const index = new DatanetIndex();
  const ownPassages = new Map<SourcedRecord, Set<string>>();
  for (const c of contributions) {
    const id = c.id.toString();
    const side = byContribution.get(id);
    if (!side) continue;
    const records = side.map((x) => x.record);
    // The timestamp is not shown in a prompt; the block names the Datanet and the contribution.
    index.upsertContribution(
      {
        contributionId: c.id,
        datanetId: c.datanetId,
        contributor: c.contributor,
        timestamp: 0,
        transactionHash: c.transactionHash,
        contentId: c.contentId,
        metadataURI: c.metadataURI,
      },
      records,
    );
    for (const p of splitPassages(records).passages) {
      const x = side[p.recordIndex]!;
      const set = ownPassages.get(x) ?? new Set<string>();
      set.add(passageKey(id, p.start, p.end));
      ownPassages.set(x, set);
    }
  }
  return { index, ownPassages };
}

const passageKey = (contributionId: string, start: number, end: number) => `${contributionId}:${start}:${end}`;

/** A uniform draw in [0, 1) for the i-th training record, fixed by the job's seed. */
function oracleDraw(seed: string, i: number): number {
  return createHash("sha256").update(`${seed}:raft-oracle:${i}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The job runner's one call: the spec's option applied to the split's sides (the spec's seed and
 * maxLength), with a line for the job's log saying what was done.
 */
export function retrievalAugmentedSides<S extends { description: string }>(
  spec: TrainingSpec,
  input: Omit<RaftInput<S>, "maxLength">,
  log: (level: "info" | "warn", message: string) => void,
): { trainSide: SourcedRecord[]; evalSide: SourcedRecord[]; split: S } {
  const options = spec.retrievalAugmented;
  if (!options) return { trainSide: [...input.trainSide], evalSide: [...input.evalSide], split: input.split };
  const { stats, ...out } = retrievalAugmented(options, { ...input, maxLength: spec.hyperparameters.maxLength });
  log(
    "info",
    `retrieval-augmented: ${stats.augmented} training record(s) given ${options.passages} retrieved passage(s) each (their own among them in ${stats.withOracle}), ${stats.evalAugmented} held-out record(s) given the ${SERVED_PASSAGES} chat would serve; system messages average ${stats.meanSystemChars} characters`,
  );
  if (stats.likelyTruncated) {
    log(
      "warn",
      `retrieval-augmented: ${stats.likelyTruncated} record(s) are likely longer than maxLength ${spec.hyperparameters.maxLength} tokens with their passages and lose their answer's end; raise hyperparameters.maxLength or lower retrievalAugmented.passages`,
    );
  }
  return out;
}
