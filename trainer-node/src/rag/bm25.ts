// An in-memory BM25 index (Okapi BM25 with Lucene's non-negative idf) over passages grouped by
// owner (a contribution) and group (a Datanet). Postings live in typed arrays; a query touches
// only the documents in its terms' postings, with one reused score accumulator, so latency
// depends on the postings read, not on the corpus size. Removing an owner hides its documents
// at once (a tombstone checked on every posting) and corrects the statistics immediately;
// the postings themselves are compacted later, when enough of them are dead.
import { queryTerms, forEachToken } from "./tokenize.ts";

export type Bm25Options = {
  /** Term-frequency saturation. Default 1.2. */
  k1?: number;
  /** Length normalisation. Default 0.75. */
  b?: number;
  /** Query terms beyond this many distinct ones are ignored. Default 64. */
  maxQueryTerms?: number;
};

export type Bm25Document<T> = { text: string; doc: T };

export type Bm25SearchOptions = {
  /** Number of hits. Default 10, at most 1000. */
  k?: number;
  /** Only documents in these groups; undefined for every group. An empty list matches nothing. */
  groups?: Iterable<string>;
};

export type Bm25Hit<T> = { docId: number; score: number; doc: T };

export type Bm25Stats = { documents: number; owners: number; terms: number; postings: number; deadPostings: number; averageLength: number };

const DEAD = -1;
const MAX_K = 1000;
const MAX_TF = 0xffff;

/** A growable list of (document, term frequency) pairs for one term. */
type Postings = { docs: Int32Array; tfs: Uint16Array; length: number; df: number };

export class Bm25Index<T> {
  readonly k1: number;
  readonly b: number;
  readonly #maxQueryTerms: number;

  readonly #terms = new Map<string, Postings>();
  readonly #owners = new Map<string, number[]>();
  readonly #groups = new Map<string, number>();
  #docLen = new Uint32Array(1024);
  /** Group index of each document, or DEAD once its owner is removed. */
  #docGroup = new Int32Array(1024);
  #docs: (T | undefined)[] = [];
  #texts: (string | undefined)[] = [];
  #docCount = 0;
  #alive = 0;
  #totalLength = 0;
  #postings = 0;
  #deadPostings = 0;

  // Per-query scratch, reused so that a search allocates only its result.
  #acc = new Float64Array(1024);
  #touched = new Int32Array(1024);
  #mask = new Uint8Array(16);
  readonly #seen = new Map<string, number>();

  constructor(options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    this.#maxQueryTerms = options.maxQueryTerms ?? 64;
  }

  /** Live documents. */
  get size(): number {
    return this.#alive;
  }

  has(owner: string): boolean {
    return this.#owners.has(owner);
  }

  owners(): IterableIterator<string> {
    return this.#owners.keys();
  }

  /** Replaces every document of `owner` with `documents`, all in `group`. */
  add(owner: string, group: string, documents: readonly Bm25Document<T>[]): void {
    this.remove(owner);
    let g = this.#groups.get(group);
    if (g === undefined) {
      g = this.#groups.size;
      this.#groups.set(group, g);
    }
    const ids: number[] = [];
    for (const { text, doc } of documents) {
      const d = this.#docCount++;
      this.#ensureDocCapacity(d + 1);
      // Documents get increasing ids, so a term's last posting tells whether it was seen in
      // this document already: no per-document frequency map.
      let length = 0;
      let unique = 0;
      forEachToken(text, (term) => {
        length++;
        let p = this.#terms.get(term);
        if (!p) {
          p = { docs: new Int32Array(4), tfs: new Uint16Array(4), length: 0, df: 0 };
          this.#terms.set(term, p);
        }
        const last = p.length - 1;
        if (last >= 0 && p.docs[last] === d) {
          if (p.tfs[last]! < MAX_TF) p.tfs[last]!++;
        } else {
          append(p, d);
          unique++;
        }
      });
      this.#postings += unique;
      this.#docLen[d] = length;
      this.#docGroup[d] = g;
      this.#docs[d] = doc;
      this.#texts[d] = text;
      this.#totalLength += length;
      this.#alive++;
      ids.push(d);
    }
    this.#owners.set(owner, ids);
  }

  /** Removes every document of `owner`; from this call on, none of them is returned. */
  remove(owner: string): boolean {
    const ids = this.#owners.get(owner);
    if (!ids) return false;
    this.#owners.delete(owner);
    const seen = this.#seen;
    for (const d of ids) {
      seen.clear();
      forEachToken(this.#texts[d]!, (term) => seen.set(term, 1));
      for (const term of seen.keys()) this.#terms.get(term)!.df--;
      this.#deadPostings += seen.size;
      this.#docGroup[d] = DEAD;
      this.#totalLength -= this.#docLen[d]!;
      this.#alive--;
      this.#docs[d] = undefined;
      this.#texts[d] = undefined;
    }
    if (this.#deadPostings > 4096 && this.#deadPostings * 4 > this.#postings) this.compact();
    return true;
  }

  /** Drops dead entries from every postings list (done by itself once a quarter is dead). */
  compact(): void {
    const group = this.#docGroup;
    for (const [term, p] of this.#terms) {
      let w = 0;
      for (let r = 0; r < p.length; r++) {
        const d = p.docs[r]!;
        if (group[d] === DEAD) continue;
        p.docs[w] = d;
        p.tfs[w] = p.tfs[r]!;
        w++;
      }
      p.length = w;
      if (w === 0) this.#terms.delete(term);
    }
    this.#postings -= this.#deadPostings;
    this.#deadPostings = 0;
  }

  /** The inverse document frequency of `term` (already normalised), 0 when unknown. */
  idf(term: string): number {
    const df = this.#terms.get(term)?.df ?? 0;
    if (df <= 0) return 0;
    return Math.log(1 + (this.#alive - df + 0.5) / (df + 0.5));
  }

  /**
   * The `k` best documents for `query`, best first; ties broken by insertion order.
   * @example
   * index.search("lora rank alpha", { k: 5, groups: ["1", "7"] })
   */
  search(query: string, options: Bm25SearchOptions = {}): Bm25Hit<T>[] {
    const k = Math.max(0, Math.min(MAX_K, Math.floor(options.k ?? 10)));
    if (k === 0 || this.#alive === 0) return [];
    let mask: Uint8Array | null = null;
    if (options.groups !== undefined) {
      mask = this.#groupMask(options.groups);
      if (!mask) return [];
    }
    const k1 = this.k1;
    const b = this.b;
    const avg = this.#totalLength / this.#alive || 1;
    const acc = this.#acc;
    const touched = this.#touched;
    const group = this.#docGroup;
    const lengths = this.#docLen;
    let nTouched = 0;
    const terms = queryTerms(query).slice(0, this.#maxQueryTerms);
    for (const term of terms) {
      const p = this.#terms.get(term);
      if (!p || p.df <= 0) continue;
      const idf = Math.log(1 + (this.#alive - p.df + 0.5) / (p.df + 0.5));
      const top = idf * (k1 + 1);
      const base = k1 * (1 - b);
      const slope = (k1 * b) / avg;
      const docs = p.docs;
      const tfs = p.tfs;
      for (let i = 0, n = p.length; i < n; i++) {
        const d = docs[i]!;
        const g = group[d]!;
        if (g === DEAD || (mask !== null && mask[g] === 0)) continue;
        const tf = tfs[i]!;
        const s = (top * tf) / (tf + base + slope * lengths[d]!);
        if (acc[d] === 0) touched[nTouched++] = d;
        acc[d]! += s;
      }
    }
    return this.#topK(k, nTouched);
  }

  stats(): Bm25Stats {
    return {
      documents: this.#alive,
      owners: this.#owners.size,
      terms: this.#terms.size,
      postings: this.#postings - this.#deadPostings,
      deadPostings: this.#deadPostings,
      averageLength: this.#alive ? this.#totalLength / this.#alive : 0,
    };
  }

  /** Selects the best `k` of the touched documents with a bounded min-heap, then clears the accumulator. */
  #topK(k: number, nTouched: number): Bm25Hit<T>[] {
    const acc = this.#acc;
    const touched = this.#touched;
    const size = Math.min(k, nTouched);
    const heap = new Int32Array(size);
    let n = 0;
    // Heap order: worst (lowest score, then latest doc) at the root.
    const worse = (a: number, b: number) => acc[a]! < acc[b]! || (acc[a] === acc[b] && a > b);
    const siftDown = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n && worse(heap[l]!, heap[m]!)) m = l;
        if (r < n && worse(heap[r]!, heap[m]!)) m = r;
        if (m === i) return;
        const t = heap[i]!;
        heap[i] = heap[m]!;
        heap[m] = t;
        i = m;
      }
    };
    for (let t = 0; t < nTouched; t++) {
      const d = touched[t]!;
      if (n < size) {
        let i = n++;
        heap[i] = d;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!worse(heap[i]!, heap[parent]!)) break;
          const tmp = heap[i]!;
          heap[i] = heap[parent]!;
          heap[parent] = tmp;
          i = parent;
        }
      } else if (worse(heap[0]!, d)) {
        heap[0] = d;
        siftDown(0);
      }
    }
    const order = Array.from(heap).sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
    const hits = order.map((d) => ({ docId: d, score: acc[d]!, doc: this.#docs[d]! }));
    for (let t = 0; t < nTouched; t++) acc[touched[t]!] = 0;
    return hits;
  }

  #groupMask(groups: Iterable<string>): Uint8Array | null {
    if (this.#mask.length < this.#groups.size) this.#mask = new Uint8Array(this.#groups.size * 2);
    const mask = this.#mask;
    mask.fill(0);
    let any = false;
    for (const name of groups) {
      const g = this.#groups.get(name);
      if (g !== undefined) {
        mask[g] = 1;
        any = true;
      }
    }
    return any ? mask : null;
  }

  #ensureDocCapacity(n: number): void {
    if (n <= this.#docLen.length) return;
    const cap = Math.max(n, this.#docLen.length * 2);
    const grow = <A extends Uint32Array | Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const out = make(cap);
      out.set(a as never);
      return out;
    };
    this.#docLen = grow(this.#docLen, (c) => new Uint32Array(c));
    this.#docGroup = grow(this.#docGroup, (c) => new Int32Array(c));
    this.#acc = grow(this.#acc, (c) => new Float64Array(c));
    this.#touched = new Int32Array(cap);
  }
}

/** Adds document `d` with frequency 1 to `p`, growing its arrays by doubling. */
function append(p: Postings, d: number): void {
  if (p.length === p.docs.length) {
    const docs = new Int32Array(p.docs.length * 2);
    docs.set(p.docs);
    const tfs = new Uint16Array(p.tfs.length * 2);
    tfs.set(p.tfs);
    p.docs = docs;
    p.tfs = tfs;
  }
  p.docs[p.length] = d;
  p.tfs[p.length] = 1;
  p.length++;
  p.df++;
}
