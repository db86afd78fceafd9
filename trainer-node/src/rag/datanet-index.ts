// The retrieval index over accepted contributions of every Datanet a node serves: one BM25
// index with a Datanet filter, so a search only ever scores passages of the Datanets the
// caller may retrieve from. Contributions are replaced whole when they change and purged at
// once when withdrawn or rejected.
import { Bm25Index, type Bm25Options, type Bm25Stats } from "./bm25.ts";
import { RagInputError } from "./errors.ts";
import type { ContributionMeta, DatasetRecord } from "@modelfactory/sdk";
import { splitPassages, type PassageOptions } from "./passages.ts";

/** What the chain (or the indexer) says about a contribution: the SDK's, as citations carry it. */
export type { ContributionMeta } from "@modelfactory/sdk";

/** Input form: ids may be bigints, as viem returns them. */
export type ContributionMetaInput = Omit<ContributionMeta, "contributionId" | "datanetId"> & {
  contributionId: bigint | string | number;
  datanetId: bigint | string | number;
};

/** One passage found by a search, with its contribution. */
export type RetrievedPassage = {
  /** 1 for the best hit. */
  rank: number;
  /** BM25 score. */
  score: number;
  contribution: ContributionMeta;
  /** The passage and its offsets in the contribution's canonical text (see passages.ts). */
  passage: { text: string; start: number; end: number };
};

export type DatanetIndexOptions = Bm25Options & { passages?: PassageOptions; maxQueryChars?: number };

type Stored = { meta: ContributionMeta; text: string; start: number; end: number };

const MAX_K = 100;

export class DatanetIndex {
  readonly #bm25: Bm25Index<Stored>;
  readonly #contributions = new Map<string, ContributionMeta>();
  readonly #passageOptions: PassageOptions | undefined;
  readonly #maxQueryChars: number;

  constructor(options: DatanetIndexOptions = {}) {
    this.#bm25 = new Bm25Index<Stored>(options);
    this.#passageOptions = options.passages;
    this.#maxQueryChars = options.maxQueryChars ?? 8192;
  }

  /**
   * Indexes (or re-indexes) a contribution from its canonical records; returns its passage count.
   * Throws ContributionTooLargeError or RagInputError and leaves the index as it was.
   */
  upsertContribution(meta: ContributionMetaInput, records: readonly DatasetRecord[]): number {
    const m = normalizeMeta(meta);
    const { passages } = splitPassages(records, this.#passageOptions);
    this.#bm25.add(
      m.contributionId,
      m.datanetId,
      passages.map((p) => ({ text: p.text, doc: { meta: m, text: p.text, start: p.start, end: p.end } })),
    );
    this.#contributions.set(m.contributionId, m);
    return passages.length;
  }

  /** Purges a contribution; it is never returned again. False when it was not indexed. */
  removeContribution(contributionId: bigint | string | number): boolean {
    const id = toId(contributionId, "contributionId");
    this.#contributions.delete(id);
    return this.#bm25.remove(id);
  }

  /** Drops removed passages' terms from the postings at once (rather than once a quarter is dead). */
  compact(): void {
    this.#bm25.compact();
  }

  /** Removes every contribution whose id is not in `keep` (after catching up with the chain); returns the removed ids. */
  retainOnly(keep: Iterable<bigint | string | number>): string[] {
    const wanted = new Set([...keep].map((id) => toId(id, "contributionId")));
    const removed = [...this.#contributions.keys()].filter((id) => !wanted.has(id));
    for (const id of removed) this.removeContribution(id);
    return removed;
  }

  has(contributionId: bigint | string | number): boolean {
    return this.#contributions.has(toId(contributionId, "contributionId"));
  }

  contribution(contributionId: bigint | string | number): ContributionMeta | undefined {
    return this.#contributions.get(toId(contributionId, "contributionId"));
  }

  /**
   * The best `k` passages for `query` among the Datanets in `allowedDatanetIds` only (the
   * caller's retrieve grants). An empty list returns nothing.
   * @example
   * index.search("how do I set the LoRA rank?", [1n, 4n], 5)
   */
  search(query: string, allowedDatanetIds: Iterable<bigint | string | number>, k = 5): RetrievedPassage[] {
    const groups = [...allowedDatanetIds].map((id) => toId(id, "datanetId"));
    if (groups.length === 0) return [];
    const hits = this.#bm25.search(query.slice(0, this.#maxQueryChars), { k: Math.min(k, MAX_K), groups });
    return hits.map((h, i) => ({
      rank: i + 1,
      score: h.score,
      contribution: h.doc.meta,
      passage: { text: h.doc.text, start: h.doc.start, end: h.doc.end },
    }));
  }

  stats(): Bm25Stats & { contributions: number } {
    return { ...this.#bm25.stats(), contributions: this.#contributions.size };
  }
}

function toId(value: bigint | string | number, field: string): string {
  const s =
    typeof value === "string"
      ? value.trim()
      : typeof value === "number" && Number.isSafeInteger(value)
        ? String(value)
        : typeof value === "bigint"
          ? value.toString()
          : "";
  if (!/^(0|[1-9][0-9]{0,77})$/.test(s))
    throw new RagInputError(`${field} must be a non-negative integer, got ${String(value)}.`, { meta: { field } });
  return s;
}

function normalizeMeta(meta: ContributionMetaInput): ContributionMeta {
  return {
    contributionId: toId(meta.contributionId, "contributionId"),
    datanetId: toId(meta.datanetId, "datanetId"),
    contributor: meta.contributor,
    timestamp: meta.timestamp,
    transactionHash: meta.transactionHash,
    contentId: meta.contentId,
    metadataURI: meta.metadataURI,
  };
}
