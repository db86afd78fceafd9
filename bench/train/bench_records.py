"""Synthetic instruction records for the training benchmarks (run.py, eval_cost.py): one module both
import, so neither imports the other."""

from __future__ import annotations

import random

SEQ = 256  # the sequence length answer lengths are scaled against


def records(n: int, seed: int = 0, seq: int = SEQ) -> list[dict]:
    """Instruction records whose answers are paragraphs of 20-200 words (scaled with seq): lengths spread up to seq."""
    from modelfactory_devtools.synthetic import corpus

    rng = random.Random(seed)
    lines = corpus(2000, seed=seed + 1)
    out = []
    for i in range(n):
        words, parts = rng.randint(20, 200 * seq // SEQ), []
        while sum(len(p.split()) for p in parts) < words:
            parts.append(rng.choice(lines))
        out.append(
            {
                "schema": "modelfactory.record/1",
                "kind": "instruction",
                "instruction": f"Tell story number {i} about {rng.choice(lines).split()[0]}.",
                "input": "",
                "output": " ".join(parts),
            }
        )
    return out
