// Synthetic but realistic retrieval text: words drawn from a Zipf distribution (s = 1.07, as in
// English) over a fixed vocabulary whose head is real English function words, in sentences of
// varying length, grouped into records, contributions and Datanets. Seeded, so every run
// indexes the same corpus.
import { RECORD_SCHEMA, type DatasetRecord } from "../../sdk/src/dataset/schema.ts";

const HEAD = (
  "the of and to a in is that for it as was with be by on not he this are or his from at which but have an they you were " +
  "model data training layer weights learning rate adapter rank token loss gradient memory batch"
).split(" ");
const SYLLABLES = "ka lo ri tem va su ne mor pi an del os tri qua be fen gu lar mi zo ex dra pen sol vi cor ul ta nim".split(" ");

/** A small, fast seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Zipf {
  readonly words: string[];
  readonly #cdf: Float64Array;
  readonly #random: () => number;

  constructor(vocabulary: number, random: () => number, s = 1.07) {
    this.#random = random;
    this.words = [...HEAD];
    for (let i = 0; this.words.length < vocabulary; i++) {
      let w = "";
      for (let n = i, parts = 2 + (i % 3); parts > 0; parts--, n = Math.floor(n / SYLLABLES.length)) w += SYLLABLES[n % SYLLABLES.length];
      this.words.push(`${w}${i >= SYLLABLES.length ** 2 ? i % 97 : ""}`);
    }
    this.#cdf = new Float64Array(vocabulary);
    let sum = 0;
    for (let r = 0; r < vocabulary; r++) this.#cdf[r] = sum += 1 / (r + 1) ** s;
    for (let r = 0; r < vocabulary; r++) this.#cdf[r]! /= sum;
  }

  word(): string {
    const u = this.#random();
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo]!;
  }

  /** `n` words in sentences of 6 to 20 words. */
  text(n: number): string {
    let out = "";
    let left = 0;
    for (let i = 0; i < n; i++) {
      if (left === 0) {
        left = 6 + Math.floor(this.#random() * 15);
        if (i > 0) out += ". ";
        const w = this.word();
        out += w[0]!.toUpperCase() + w.slice(1);
      } else out += ` ${this.word()}`;
      left--;
    }
    return `${out}.`;
  }
}

export type SyntheticContribution = { id: number; datanetId: number; records: DatasetRecord[] };

/** Contributions of 10 records each (one passage per record, 60–120 words), over `datanets` Datanets. */
export function* contributions(passages: number, zipf: Zipf, random: () => number, datanets = 20): Generator<SyntheticContribution> {
  let made = 0;
  for (let id = 1; made < passages; id++) {
    const records: DatasetRecord[] = [];
    for (let r = 0; r < 10 && made < passages; r++, made++) {
      const words = 60 + Math.floor(random() * 60);
      records.push(
        random() < 0.5
          ? { schema: RECORD_SCHEMA, kind: "text", text: zipf.text(words) }
          : {
              schema: RECORD_SCHEMA,
              kind: "instruction",
              instruction: `${zipf.text(8).slice(0, -1)}?`,
              input: "",
              output: zipf.text(words - 8),
            },
      );
    }
    // Round-trip through JSON, as records arrive from a parsed contribution file (flat strings).
    yield { id, datanetId: 1 + (id % datanets), records: JSON.parse(JSON.stringify(records)) as DatasetRecord[] };
  }
}
