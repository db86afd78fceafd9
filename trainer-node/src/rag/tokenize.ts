// The tokenizer shared by the retrieval index and attribution: Unicode-aware words (runs of
// letters, marks and digits), NFKC-normalised and lowercased, each with its character range
// in the original text so that matches can be shown as exact spans.

/** One token: its normalised term and the range [start, end) it covers in the source text. */
export type Token = { term: string; start: number; end: number; stop: boolean };

export type TokenizeOptions = {
  /** Keep stop words (flagged `stop: true`). Default false: they are dropped. */
  keepStopWords?: boolean;
};

/** Words longer than this (in UTF-16 units) are skipped: no real word is, and hashing them wastes time. */
export const MAX_TOKEN_LENGTH = 64;

/**
 * A small English stop-word list: function words that carry no topic. Kept short on purpose;
 * BM25's idf already discounts frequent words, and over-long lists drop meaning ("not").
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be been but by for from had has have he her his i if in into is it its " +
    "me my of on or our she so that the their them then there these they this those to was we were " +
    "what when where which who will with you your do does did can could would should than too very " +
    "s t just about also any each how all both"
  ).split(" "),
);

// Letters, combining marks (accents, Indic vowel signs) and digits of any script. Marks keep
// words like "naïve" typed with a combining diaeresis together.
// A fresh RegExp per call keeps `lastIndex` private, so visitors may tokenize other text.
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;
const NON_ASCII = /[^\x00-\x7f]/;

/** The index form of a word: NFKC (full-width, ligatures, compatibility digits) then lowercase. */
export function normalizeTerm(word: string): string {
  return NON_ASCII.test(word) ? word.normalize("NFKC").toLowerCase() : word.toLowerCase();
}

/**
 * Calls `visit` for each token of `text` in order, without building an array: the indexing path.
 * Stop words are skipped unless `keepStopWords` is set.
 */
export function forEachToken(
  text: string,
  visit: (term: string, start: number, end: number, stop: boolean) => void,
  options: TokenizeOptions = {},
): void {
  const keep = options.keepStopWords ?? false;
  const re = new RegExp(WORD);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const word = m[0];
    if (word.length > MAX_TOKEN_LENGTH) continue;
    const term = normalizeTerm(word);
    const stop = STOP_WORDS.has(term);
    if (stop && !keep) continue;
    visit(term, m.index, m.index + word.length, stop);
  }
}

/**
 * The tokens of `text` with their offsets.
 * @example
 * tokenize("The Café opens") // [{ term: "café", start: 4, end: 8, stop: false }, { term: "opens", … }]
 */
export function tokenize(text: string, options: TokenizeOptions = {}): Token[] {
  const out: Token[] = [];
  forEachToken(text, (term, start, end, stop) => out.push({ term, start, end, stop }), options);
  return out;
}

/** The distinct non-stop terms of `text`, in first-seen order: the query form. */
export function queryTerms(text: string): string[] {
  const seen = new Set<string>();
  forEachToken(text, (term) => seen.add(term));
  return [...seen];
}
