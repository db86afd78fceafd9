"""Regenerates the demo content: `python3 demo/generate` (no dependencies, deterministic).

Writes demo/datanets/<slug>/contributions/*.jsonl and demo/corpus/general-english.txt.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import bicycle, corpus, espresso, garden  # noqa: E402
from generate.common import DEMO, write_datanet  # noqa: E402

CORPUS_DOCUMENTS = 12_000


def main() -> int:
    for module in (espresso, garden, bicycle):
        counts = write_datanet(module.SLUG, module.generate())
        print(f"{module.SLUG}: {sum(counts.values())} records in {len(counts)} files {counts}")
    out = DEMO / "corpus" / "general-english.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    docs = corpus.documents(CORPUS_DOCUMENTS)
    out.write_text("\n\n".join(docs) + "\n", encoding="utf-8", newline="\n")
    print(f"corpus: {len(docs)} documents, {out.stat().st_size / 1e6:.1f} MB, {len(set(docs))} distinct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
