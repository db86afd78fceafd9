"""Chat with an adapter on a copy of the base whose weights have the adapter merged in.

A PEFT LoRA layer adds two small matmuls, a dropout and a scale to every targeted linear layer at
every token: SmolLM2-135M decoded 11 tokens/s without its LoRA adapter and 8.3 with it on two
cores. Generation therefore runs on a plain copy with W + scaling · B·A in place of W, which
costs what the base costs. The PEFT model itself stays as it is for training, evaluation and
attribution, which need the adapter's own parameters (the influence gradients) or switch
adapters per call.

Only on a CPU and only for a base in full precision: an NF4 base cannot take the sum in its
4 bits, and on a GPU a second copy of a large model costs memory the LoRA matmuls do not. Copies
are kept for the most recently used adapters, MODELFACTORY_WORKER_MERGED_COPIES of them (1 by
default, 0 turns this off), and dropped whenever the weights change."""

from __future__ import annotations

import copy
import os
from collections import OrderedDict

import torch

from .lora import is_peft

DEFAULT_COPIES = 1


def copies_from_env() -> int:
    raw = os.environ.get("MODELFACTORY_WORKER_MERGED_COPIES", "").strip()
    if not raw:
        return DEFAULT_COPIES
    if not raw.isdigit():
        raise ValueError(f"MODELFACTORY_WORKER_MERGED_COPIES must be a whole number of models (0 turns merged serving off), got {raw!r}")
    return int(raw)


class MergedCopies:
    def __init__(self, limit: int):
        self.limit = limit
        self._copies: OrderedDict[str, torch.nn.Module] = OrderedDict()
        self.built = 0

    def __len__(self) -> int:
        return len(self._copies)

    def clear(self) -> None:
        self._copies.clear()

    def eligible(self, model, device: torch.device, quantization: str) -> bool:
        return self.limit > 0 and device.type == "cpu" and quantization == "none" and is_peft(model)

    def get(self, model, adapter: str) -> torch.nn.Module:
        """The merged copy for `adapter` of this PeftModel, built on first use (about a second for a
        135M model), the least recently used one dropped beyond the limit."""
        hit = self._copies.get(adapter)
        if hit is not None:
            self._copies.move_to_end(adapter)
            return hit
        while len(self._copies) >= self.limit:
            self._copies.popitem(last=False)
        with torch.no_grad():
            twin = copy.deepcopy(model)
            merged = twin.merge_and_unload(adapter_names=[adapter], progressbar=False)
        merged.eval()
        for p in merged.parameters():
            p.requires_grad_(False)
        self._copies[adapter] = merged
        self.built += 1
        return merged

    def stats(self) -> dict:
        return {"limit": self.limit, "adapters": list(self._copies), "built": self.built}
