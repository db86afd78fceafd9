"""Key/value caches of recent sequences, per adapter, so that a prompt beginning with tokens the
model has already seen (the next turn of a conversation, a regenerated answer, the same sources
asked again) prefills only its new tokens instead of recomputing the whole context.

An entry is the exact token sequence whose keys and values a cache holds. A request takes the
entry sharing the longest prefix with its prompt, crops it to that prefix and extends it; the
extended cache is stored back. Entries are dropped oldest first beyond a byte budget, and all of
them whenever the weights change (a load or a training run), since keys and values depend on them.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

DEFAULT_BUDGET_MB = 512
# Reusing fewer tokens than this saves nothing worth keeping an entry for.
MIN_REUSE = 8


def budget_from_env() -> int:
    """MODELFACTORY_WORKER_KV_CACHE_MB: bytes the cache may hold (0 turns it off); 512 MiB by default."""
    raw = os.environ.get("MODELFACTORY_WORKER_KV_CACHE_MB", "").strip()
    if not raw:
        return DEFAULT_BUDGET_MB << 20
    if not raw.isdigit():
        raise ValueError(f"MODELFACTORY_WORKER_KV_CACHE_MB must be a whole number of MiB (0 turns the prefix cache off), got {raw!r}")
    return int(raw) << 20


@dataclass
class _Entry:
    ids: list[int]
    cache: Any  # a transformers Cache holding the keys and values of exactly `ids`
    nbytes: int


def common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def cache_nbytes(cache: Any) -> int:
    """Bytes of the key and value tensors a transformers cache holds."""
    total = 0
    layers = getattr(cache, "layers", None)
    if layers is not None:
        for layer in layers:
            reserved = getattr(layer, "reserved_nbytes", None)  # a growing layer's spare room counts too
            if reserved is not None:
                total += reserved
                continue
            for name in ("keys", "values"):
                t = getattr(layer, name, None)
                if t is not None and hasattr(t, "nbytes"):
                    total += t.nbytes
        return total
    for kv in cache.to_legacy_cache():
        total += sum(t.nbytes for t in kv)
    return total


class PrefixCache:
    def __init__(self, budget_bytes: int):
        self.budget = budget_bytes
        self._entries: "OrderedDict[int, tuple[str | None, _Entry]]" = OrderedDict()
        self._next = 0
        self.hits = 0
        self.reused_tokens = 0

    @property
    def nbytes(self) -> int:
        return sum(e.nbytes for _, e in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def take(self, adapter: str | None, prompt_ids: list[int]) -> tuple[Any | None, int]:
        """The cache sharing the longest prefix with prompt_ids under this adapter, cropped to the
        tokens it may reuse (at least the prompt's last token is always computed, for its logits),
        and that count; (None, 0) when nothing useful is held. The entry leaves the cache: its
        caller extends it in place and puts it back."""
        if self.budget <= 0:
            return None, 0
        best, best_len = None, 0
        for key, (name, entry) in self._entries.items():
            if name != adapter:
                continue
            n = min(common_prefix(entry.ids, prompt_ids), len(prompt_ids) - 1)
            if n > best_len:
                best, best_len = key, n
        if best is None or best_len < MIN_REUSE:
            return None, 0
        _, entry = self._entries.pop(best)
        try:
            entry.cache.crop(best_len)
        except Exception:  # noqa: BLE001 - a cache type that cannot be cropped (sliding windows): recompute
            return None, 0
        self.hits += 1
        self.reused_tokens += best_len
        return entry.cache, best_len

    def put(self, adapter: str | None, ids: list[int], cache: Any) -> None:
        """Keep `cache`, which holds the keys and values of exactly `ids`, for later prompts."""
        if self.budget <= 0 or cache is None or len(ids) < MIN_REUSE:
            return
        nbytes = cache_nbytes(cache)
        if nbytes > self.budget:
            return
        self._entries[self._next] = (adapter, _Entry(list(ids), cache, nbytes))
        self._next += 1
        while self.nbytes > self.budget:
            self._entries.popitem(last=False)

    def stats(self) -> dict:
        return {
            "entries": len(self._entries),
            "bytes": self.nbytes,
            "budget_bytes": self.budget,
            "hits": self.hits,
            "reused_tokens": self.reused_tokens,
        }
