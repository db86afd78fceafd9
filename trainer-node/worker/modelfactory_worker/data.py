"""Tokenized examples -> deterministic epochs of micro-batches, packed or padded.

Packed rows hold several examples; a block-diagonal causal mask and per-example position ids
keep them from seeing each other, so a packed batch has the same loss as the unpacked one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import torch

from .chat import IGNORE, ChatFormatter, Example
from .records import DatasetRecord


@dataclass
class TokenizedSplit:
    examples: list[Example]
    dropped: int  # records with no trained token left after truncation
    truncated: int
    sources: list[int] = field(default_factory=list)  # index of the record each example came from


def tokenize(records: list[DatasetRecord], formatter: ChatFormatter, max_len: int) -> TokenizedSplit:
    examples, sources, dropped, truncated = [], [], 0, 0
    for i, r in enumerate(records):
        ids, _ = formatter.encode_record(r)
        truncated += len(ids) > max_len
        ex = formatter.example(r, max_len)
        if ex is None:
            dropped += 1
        else:
            examples.append(ex)
            sources.append(i)
    return TokenizedSplit(examples, dropped, truncated, sources)


def split_records(records: list[DatasetRecord], eval_fraction: float, seed: int) -> tuple[list[DatasetRecord], list[DatasetRecord]]:
    """Deterministic held-out split; at least one eval record when eval_fraction > 0 and n >= 2."""
    if eval_fraction <= 0 or len(records) < 2:
        return records, []
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    n_eval = min(len(records) - 1, max(1, round(len(records) * eval_fraction)))
    held = set(order[:n_eval])
    return [r for i, r in enumerate(records) if i not in held], [r for i, r in enumerate(records) if i in held]


@dataclass
class Row:
    """One row of a batch: one example, or several packed ones (segment lengths in `lengths`)."""

    input_ids: list[int]
    targets: list[int]
    lengths: list[int]


def pack(examples: list[Example], seq_len: int) -> list[Row]:
    """Next-fit packing in the given order; an example never straddles two rows."""
    rows: list[Row] = []
    cur = Row([], [], [])
    for ex in examples:
        n = len(ex.input_ids)
        if cur.lengths and len(cur.input_ids) + n > seq_len:
            rows.append(cur)
            cur = Row([], [], [])
        cur.input_ids += ex.input_ids
        cur.targets += ex.targets
        cur.lengths.append(n)
    if cur.lengths:
        rows.append(cur)
    return rows


def unpacked(examples: list[Example]) -> list[Row]:
    return [Row(list(ex.input_ids), list(ex.targets), [len(ex.input_ids)]) for ex in examples]


@dataclass
class Batch:
    input_ids: torch.Tensor  # [B, L]
    targets: torch.Tensor  # [B, L], IGNORE where not trained
    attention_mask: torch.Tensor  # [B, L] (padded rows) or [B, 1, L, L] additive (packed rows)
    position_ids: torch.Tensor | None
    tokens: int  # real (non-padding) tokens
    trained_tokens: int

    def to(self, device) -> "Batch":
        pos = self.position_ids.to(device) if self.position_ids is not None else None
        return Batch(
            self.input_ids.to(device), self.targets.to(device), self.attention_mask.to(device), pos, self.tokens, self.trained_tokens
        )


def collate(rows: list[Row], pad_id: int, packed: bool, mask_dtype: torch.dtype = torch.float32) -> Batch:
    """Right-pad rows to the longest; packed rows get a block-diagonal causal mask and position ids."""
    width = max(len(r.input_ids) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    targets = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, : len(r.input_ids)] = torch.tensor(r.input_ids)
        targets[b, : len(r.targets)] = torch.tensor(r.targets)
    tokens = sum(len(r.input_ids) for r in rows)
    trained = int((targets != IGNORE).sum())
    if not packed:
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for b, r in enumerate(rows):
            mask[b, : len(r.input_ids)] = 1
        return Batch(ids, targets, mask, None, tokens, trained)
    seg = torch.empty((len(rows), width), dtype=torch.long)
    pos = torch.zeros((len(rows), width), dtype=torch.long)
    for b, r in enumerate(rows):
        start = 0
        for s, n in enumerate(r.lengths):
            seg[b, start : start + n] = s
            pos[b, start : start + n] = torch.arange(n)
            start += n
        # Each padding token is its own segment: it attends only to itself, so no row is all -inf.
        seg[b, start:] = torch.arange(len(r.lengths), len(r.lengths) + width - start)
    causal = torch.ones((width, width), dtype=torch.bool).tril()
    allowed = (seg[:, :, None] == seg[:, None, :]) & causal
    mask = torch.zeros(allowed.shape, dtype=mask_dtype).masked_fill_(~allowed, torch.finfo(mask_dtype).min)
    return Batch(ids, targets, mask[:, None], pos, tokens, trained)


class EpochPlan:
    """Micro-batches of one epoch: a seeded shuffle of examples, then packing and batching.

    The plan is a pure function of (examples, seed, epoch), which is what makes resume exact.
    """

    def __init__(
        self, examples: list[Example], *, seed: int, epoch: int, micro_batch: int, seq_len: int, packing: bool, shuffle: bool = True
    ):
        order = list(range(len(examples)))
        if shuffle:
            random.Random(seed * 1_000_003 + epoch).shuffle(order)
        ordered = [examples[i] for i in order]
        rows = pack(ordered, seq_len) if packing else unpacked(ordered)
        self.packing = packing
        self.micro_batches: list[list[Row]] = [rows[i : i + micro_batch] for i in range(0, len(rows), micro_batch)]

    def __len__(self) -> int:
        return len(self.micro_batches)


def steps_per_epoch(n_micro: int, grad_accum: int) -> int:
    return max(1, -(-n_micro // grad_accum))
