import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_TOKEN_LENGTH, normalizeTerm, queryTerms, tokenize } from "../../src/rag/tokenize.ts";

describe("tokenize", () => {
  it("lowercases, drops stop words and keeps offsets into the original text", () => {
    const text = "The LoRA rank, and the Alpha!";
    const tokens = tokenize(text);
    assert.deepEqual(
      tokens.map((t) => t.term),
      ["lora", "rank", "alpha"],
    );
    for (const t of tokens) assert.equal(text.slice(t.start, t.end).toLowerCase(), t.term);
    assert.deepEqual(
      tokenize(text, { keepStopWords: true })
        .filter((t) => t.stop)
        .map((t) => t.term),
      ["the", "and", "the"],
    );
  });

  it("is Unicode-aware: NFKC, accents, other scripts, digits", () => {
    const text = "Ｆｕｌｌ-width ﬁle naïve Straße 東京 ２０２４ café";
    const tokens = tokenize(text);
    assert.deepEqual(
      tokens.map((t) => t.term),
      ["full", "width", "file", "naïve", "straße", "東京", "2024", "café"],
    );
    // Offsets cover the original (un-normalised) characters.
    assert.equal(text.slice(tokens[0]!.start, tokens[0]!.end), "Ｆｕｌｌ");
    assert.equal(text.slice(tokens[2]!.start, tokens[2]!.end), "ﬁle");
    // A combining accent stays inside its word.
    assert.deepEqual(queryTerms("nai\u0308ve"), ["naïve"]);
  });

  it("skips absurdly long words and dedupes query terms", () => {
    assert.deepEqual(tokenize("x".repeat(MAX_TOKEN_LENGTH + 1) + " ok"), [
      { term: "ok", start: MAX_TOKEN_LENGTH + 2, end: MAX_TOKEN_LENGTH + 4, stop: false },
    ]);
    assert.deepEqual(queryTerms("rank Rank RANK of alpha"), ["rank", "alpha"]);
  });

  it("agrees with the plain Unicode pattern on random mixed-script text", () => {
    // The reference: every match of the word pattern, normalised.
    const reference = (text: string) =>
      [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu)]
        .filter((m) => m[0].length <= MAX_TOKEN_LENGTH)
        .map((m) => ({ term: normalizeTerm(m[0]), start: m.index, end: m.index + m[0].length }));
    const alphabet = [
      "a",
      "Z",
      "9",
      " ",
      ".",
      "-",
      "é",
      "e\u0301",
      "\u0308",
      "ß",
      "東",
      "🙂",
      "𝐀",
      "\ud800",
      "\udc00",
      "ﬁ",
      "Ｆ",
      "—",
      "\n",
      "ا",
      "ी",
    ];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2000; n++) {
      let text = "";
      for (let i = Math.floor(next() * 30); i > 0; i--) text += alphabet[Math.floor(next() * alphabet.length)];
      const got = tokenize(text, { keepStopWords: true }).map(({ term, start, end }) => ({ term, start, end }));
      assert.deepEqual(got, reference(text), JSON.stringify(text));
    }
  });
});
