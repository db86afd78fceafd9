import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_TOKEN_LENGTH, queryTerms, tokenize } from "../../src/rag/tokenize.ts";

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
      tokenize(text, { keepStopWords: true }).filter((t) => t.stop).map((t) => t.term),
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
    assert.deepEqual(tokenize("x".repeat(MAX_TOKEN_LENGTH + 1) + " ok"), [{ term: "ok", start: MAX_TOKEN_LENGTH + 2, end: MAX_TOKEN_LENGTH + 4, stop: false }]);
    assert.deepEqual(queryTerms("rank Rank RANK of alpha"), ["rank", "alpha"]);
  });
});
