"""Shared helpers of the demo generators: seeded choice, sentence tidying, record writing.

Every generator is deterministic (a fixed seed per Datanet), so a regeneration reproduces the
committed files byte for byte and their content hashes stay stable.
"""

from __future__ import annotations

import json
import re
import random
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent


def record(instruction: str, output: str, input_text: str = "") -> dict:
    """An instruction record as contributors upload it (the SDK canonicalises it on upload)."""
    rec = {"instruction": tidy(instruction)}
    if input_text:
        rec["input"] = tidy(input_text)
    rec["output"] = tidy(output)
    return rec


def tidy(text: str) -> str:
    """Collapses doubled spaces and capitalises the first letter; templates stay readable."""
    text = re.sub(r"[ \t]+", " ", text).replace(" ,", ",").replace(" .", ".").strip()
    return text[:1].upper() + text[1:]


def pick(rng: random.Random, options: list[str] | tuple[str, ...]) -> str:
    return options[rng.randrange(len(options))]


def dedupe(records: list[dict]) -> list[dict]:
    """Drops exact repeats of an instruction + input (templates can collide)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for r in records:
        key = (r["instruction"], r.get("input", ""))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_datanet(slug: str, contributions: dict[str, list[dict]]) -> dict[str, int]:
    """Writes demo/datanets/<slug>/contributions/<file>.jsonl; returns record counts per file."""
    folder = DEMO / "datanets" / slug / "contributions"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl"):
        old.unlink()
    counts = {}
    for name, records in contributions.items():
        write_jsonl(folder / f"{name}.jsonl", records)
        counts[name] = len(records)
    return counts
