"""Chat on CPU copies of the loaded model made for answering: the adapter merged in, optionally bf16.

A PEFT LoRA layer adds two small matmuls, a dropout and a scale to every targeted linear layer at
every token: SmolLM2-135M decoded 11 tokens/s without its LoRA adapter and 8.3 with it on two
cores. Chat with an adapter therefore runs on a copy with W + scaling · B·A in place of W, which
costs what the base costs. The loaded (PEFT) model itself stays as it is for training, evaluation
and training influence, which need the adapter's own parameters. `generate` and `attribute`
answer from the copy, so an answer is attributed on the model that gave it.

The copies can be bf16 (MODELFACTORY_WORKER_SERVING_DTYPE=bfloat16; the base then gets a copy
too). A decode step reads every weight once, and bf16 halves the bytes: on two AVX512-BF16 cores
SmolLM2-135M decoded 18-21 tokens/s against 15 in fp32, and prefilled 1,159 tokens in 1.46 s
against 2.17 s. It is off by default because it changes answers: SmolLM2 was trained in bf16 and
its mean loss on 120 demo answers stayed the same (3.581 against 3.583 nats a token), but the
greedy choice differed on 3.4 % of tokens, and on 24 retrieval questions the base answered from
the planted passage 20 times against 21 in fp32 (its context attribution ranked the planted
passage first 19 against 21 times). With weights rounded to bf16 and fp32 arithmetic the answers
held, so the loss is in bf16 activations. On a CPU without native bf16 (AVX512-BF16, AMX) it is
emulated and slower than fp32.

Only on a CPU and only for a base in full precision: an NF4 base cannot take the sum in its 4
bits, and on a GPU, which computes in bf16 already, a second copy of a large model costs memory
the LoRA matmuls do not. MODELFACTORY_WORKER_MERGED_COPIES copies are kept (1 by default, the
least recently used dropped; 0 turns this off), and all are dropped whenever the weights change."""

from __future__ import annotations

import copy
import functools
import os
import sys
from collections import OrderedDict

import torch

from .lora import is_peft

DEFAULT_COPIES = 1
SERVING_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}


def copies_from_env() -> int:
    raw = os.environ.get("MODELFACTORY_WORKER_MERGED_COPIES", "").strip()
    if not raw:
        return DEFAULT_COPIES
    if not raw.isdigit():
        raise ValueError(f"MODELFACTORY_WORKER_MERGED_COPIES must be a whole number of models (0 turns merged serving off), got {raw!r}")
    return int(raw)


@functools.cache
def cpu_has_native_bf16() -> bool:
    """Whether this CPU multiplies bf16 in hardware (AVX512-BF16 or AMX-BF16), from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return "avx512_bf16" in flags or "amx_bf16" in flags
    except OSError:
        pass
    return False


def serving_dtype_from_env() -> torch.dtype:
    """The precision of the serving copies: float32 unless bfloat16 is asked for."""
    raw = os.environ.get("MODELFACTORY_WORKER_SERVING_DTYPE", "").strip() or "float32"
    if raw not in SERVING_DTYPES:
        raise ValueError(f"MODELFACTORY_WORKER_SERVING_DTYPE must be float32 or bfloat16, got {raw!r}")
    if raw == "bfloat16" and not cpu_has_native_bf16():
        print(
            "MODELFACTORY_WORKER_SERVING_DTYPE=bfloat16 on a CPU without AVX512-BF16 or AMX: bf16 is emulated here, slower than float32",
            file=sys.stderr,
        )
    return SERVING_DTYPES[raw]


class MergedCopies:
    def __init__(self, limit: int, dtype: torch.dtype = torch.float32):
        self.limit = limit
        self.dtype = dtype
        self._copies: OrderedDict[str | None, torch.nn.Module] = OrderedDict()
        self.built = 0

    def __len__(self) -> int:
        return len(self._copies)

    def clear(self) -> None:
        self._copies.clear()

    def eligible(self, model, device: torch.device, quantization: str, adapter: str | None) -> bool:
        """Whether answers with `adapter` (None: the base) come from a copy: one with the adapter
        merged in, or for the base one in another precision than the loaded model's."""
        if self.limit <= 0 or device.type != "cpu" or quantization != "none":
            return False
        if adapter is not None:
            return is_peft(model)
        return next(model.parameters()).dtype != self.dtype

    def get(self, model, adapter: str | None) -> torch.nn.Module:
        """The copy for `adapter` (None: the base) of this model, built on first use (about a second
        for a 135M model), the least recently used one dropped beyond the limit."""
        hit = self._copies.get(adapter)
        if hit is not None:
            self._copies.move_to_end(adapter)
            return hit
        while len(self._copies) >= self.limit:
            self._copies.popitem(last=False)
        with torch.no_grad():
            twin = copy.deepcopy(model)
            if adapter is not None:
                twin = twin.merge_and_unload(adapter_names=[adapter], progressbar=False)
            elif is_peft(twin):
                twin = twin.unload()  # the LoRA layers taken out, nothing merged
            twin.to(self.dtype)  # merged in the loaded precision first, then rounded once
        twin.eval()
        for p in twin.parameters():
            p.requires_grad_(False)
        self._copies[adapter] = twin
        self.built += 1
        return twin

    def stats(self) -> dict:
        return {"limit": self.limit, "dtype": str(self.dtype).replace("torch.", ""), "copies": list(self._copies), "built": self.built}
