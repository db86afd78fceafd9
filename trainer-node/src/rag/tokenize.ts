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

// A word: a letter or digit of any script, then letters, combining marks (accents, Indic vowel
// signs) and digits, so "naïve" typed with a combining diaeresis stays one word. Each call
// makes its own sticky copy, keeping `lastIndex` private so visitors may tokenize other text.
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
  // ASCII words are scanned by hand (no match objects: indexing is allocation-bound); any
  // word touching a non-ASCII character goes through the Unicode pattern, sticky at its start.
  const re = new RegExp(WORD.source, "uy");
  const emit = (start: number, end: number) => {
    if (end - start > MAX_TOKEN_LENGTH) return;
    const term = normalizeTerm(text.slice(start, end));
    const stop = STOP_WORDS.has(term);
    if (stop && !keep) return;
    visit(term, start, end, stop);
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (!isAsciiAlnum(c)) {
        i++;
        continue;
      }
      let j = i + 1;
      let d = 0;
      while (j < n && (d = text.charCodeAt(j)) < 128 && isAsciiAlnum(d)) j++;
      if (j < n && d >= 128) {
        re.lastIndex = i;
        j = i + re.exec(text)![0].length;
      }
      emit(i, j);
      i = j;
      continue;
    }
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) {
      emit(i, i + m[0].length);
      i += m[0].length;
    } else {
      // Step over a whole surrogate pair, never into its middle.
      const low = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      i += c >= 0xd800 && c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
    }
  }
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
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
