"""Deterministic synthetic text and records: the corpus tiny tokenizers learn from, and small
datasets for tests, benchmarks and the demo (no data set can be downloaded here)."""

from __future__ import annotations

import random

from modelfactory_worker.records import RECORD_SCHEMA

_NAMES = ["Ada", "Bram", "Chen", "Dara", "Eli", "Fen", "Gus", "Hana", "Ivo", "Juno", "Kai", "Lia"]
_THINGS = [
    "river",
    "garden",
    "lantern",
    "harbor",
    "market",
    "forest",
    "bridge",
    "library",
    "engine",
    "orchard",
    "tower",
    "meadow",
    "kettle",
    "compass",
    "violin",
    "window",
]
_COLORS = ["red", "blue", "green", "amber", "silver", "violet", "white", "black"]
_VERBS = ["sees", "builds", "paints", "finds", "guards", "repairs", "visits", "counts", "follows", "opens"]
_ADJ = ["quiet", "bright", "old", "small", "busy", "warm", "tall", "calm", "quick", "gentle"]


def corpus(lines: int = 3000, seed: int = 0) -> list[str]:
    """English-like sentences with names, numbers and punctuation, for training a BPE tokenizer."""
    rng = random.Random(seed)
    out = []
    for i in range(lines):
        a, b = rng.choice(_NAMES), rng.choice(_NAMES)
        t, c, v, j = rng.choice(_THINGS), rng.choice(_COLORS), rng.choice(_VERBS), rng.choice(_ADJ)
        n = rng.randint(0, 999)
        form = i % 5
        if form == 0:
            out.append(f"{a} {v} the {j} {c} {t} near the {rng.choice(_THINGS)}.")
        elif form == 1:
            out.append(f"Question: what does {a} keep? Answer: {a} keeps {n} {c} {t}s.")
        elif form == 2:
            out.append(f"In the {j} {t}, {a} and {b} talk about {n} things; then they rest!")
        elif form == 3:
            out.append(f"The {t} of {b} is {c}, and it is {j} (number {n}).")
        else:
            out.append(f'{a}: "Is the {t} {c}?" {b}: "Yes, it is {j} and {c}."')
    return out


def facts(seed: int = 0) -> dict[str, tuple[str, str]]:
    """A fixed mapping name -> (thing, color): the knowledge the synthetic records teach."""
    rng = random.Random(seed)
    return {n: (rng.choice(_THINGS), rng.choice(_COLORS)) for n in _NAMES}


def instruction_records(n: int, seed: int = 0, fact_seed: int = 0) -> list[dict]:
    """Instruction records whose answers are a deterministic function of the question."""
    rng = random.Random(seed)
    table = facts(fact_seed)
    out = []
    for _ in range(n):
        name = rng.choice(_NAMES)
        thing, color = table[name]
        if rng.random() < 0.5:
            out.append(
                {
                    "schema": RECORD_SCHEMA,
                    "kind": "instruction",
                    "instruction": f"What does {name} keep?",
                    "input": "",
                    "output": f"{name} keeps a {color} {thing}.",
                }
            )
        else:
            out.append(
                {
                    "schema": RECORD_SCHEMA,
                    "kind": "instruction",
                    "instruction": "Describe the object.",
                    "input": f"Owner: {name}",
                    "output": f"The {thing} of {name} is {color}.",
                }
            )
    return out


def chat_records(n: int, seed: int = 0, fact_seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    table = facts(fact_seed)
    out = []
    for _ in range(n):
        a, b = rng.sample(_NAMES, 2)
        out.append(
            {
                "schema": RECORD_SCHEMA,
                "kind": "chat",
                "messages": [
                    {"role": "system", "content": "You answer briefly."},
                    {"role": "user", "content": f"What color is the {table[a][1]} thing of {a}?"},
                    {"role": "assistant", "content": f"It is {table[a][1]}."},
                    {"role": "user", "content": f"And what does {b} keep?"},
                    {"role": "assistant", "content": f"{b} keeps a {table[b][1]} {table[b][0]}."},
                ],
            }
        )
    return out


def text_records(n: int, seed: int = 0, words: int = 0) -> list[dict]:
    """Plain-text records; with words > 0 each is a paragraph of roughly that many words."""
    rng = random.Random(seed)
    lines = corpus(max(n * 8, 100), seed=seed + 1)
    out = []
    for i in range(n):
        if words <= 0:
            text = lines[i % len(lines)]
        else:
            parts, count = [], 0
            target = rng.randint(words // 2, words)
            while count < target:
                s = rng.choice(lines)
                parts.append(s)
                count += len(s.split())
            text = " ".join(parts)
        out.append({"schema": RECORD_SCHEMA, "kind": "text", "text": text})
    return out
