"""Chat on CPU copies of the loaded model made for answering: the adapter merged in, optionally in bf16 or with int8 weights.

A PEFT LoRA layer adds two small matmuls, a dropout and a scale to every targeted linear layer at
every token: SmolLM2-135M decoded 11 tokens/s without its LoRA adapter and 8.3 with it on two
cores. Chat with an adapter therefore runs on a copy with W + scaling · B·A in place of W, which
costs what the base costs. The loaded (PEFT) model itself stays as it is for training, evaluation
and training influence, which need the adapter's own parameters. `generate` and `attribute`
answer from the copy, so an answer is attributed on the model that gave it.

The copies can also read fewer bytes per token (MODELFACTORY_WORKER_SERVING_PRECISION; the base
then gets a copy too): a decode step reads every weight once, which in fp32 is 540 MB for
SmolLM2-135M (decode speeds from `npm run bench -- node`). `bfloat16` casts the whole copy; `int8` keeps every linear layer's weight in int8
with one scale per output row and feeds its matmul bf16 inputs (torch's _weight_int8pack_mm),
while embeddings, norms, attention and the residual sum stay fp32. On two AVX512-BF16 cores:

    precision   decode tokens/s   loss of 120 demo answers   24 retrieval questions answered
                (1k context)      (nats a token)             from the planted passage
    float32     13.1-14.3         3.583                      21
    bfloat16    18.5              3.581                      20
    int8        28.2-30.5         3.581                      21

int8 is the default on every CPU (`auto`): with the demo's tuned adapter merged in, 30 demo questions scored ROUGE-L 0.465 in int8
against 0.453 in fp32 (7 answers word for word the same; the others differ as two samples of a
small model do, e.g. "18 g in and 27 g out" against "26 g out"). bf16 stays opt-in: its bf16
activations flip close greedy choices ("What is the capital of France?": "The" led "L" by 0.08
in fp32; bf16 answered in French, int8 kept "The"). Without native bf16 (AVX512-BF16, AMX) the
bf16 arithmetic is emulated: a prefill is compute-bound and would be slower than fp32, so int8
prefills widen the weight to fp32 there, while a decode step, bound by the bytes it reads, still
gains. On two AVX2 cores (2026-12-02), with a 1k-token context: decode 6.2 tokens/s in fp32
against 9.7 in int8, prefill 6.0 s against 6.3 s (plain transformers forward passes); through the
worker, a 64-token answer in 7.3 s against 3.9 s.

Only on a CPU and only for a base in full precision: an NF4 base cannot take the sum in its 4
bits, and on a GPU, which computes in bf16 already, a second copy of a large model costs memory
the LoRA matmuls do not. MODELFACTORY_WORKER_MERGED_COPIES copies are kept (2 by default: the base and one adapter;
the least recently used dropped; 0 turns this off), and all are dropped whenever the weights change."""

from __future__ import annotations

import copy
import os
import sys
from collections import OrderedDict

import torch

from .lora import is_peft
from .models import cpu_has_native_bf16

DEFAULT_COPIES = 2
PRECISIONS = ("float32", "bfloat16", "int8")
# torch's int8-weight matmul on CPU (`int8` serving), present since torch 2.3.
INT8_KERNEL = hasattr(torch.ops.aten, "_weight_int8pack_mm")


def copies_from_env() -> int:
    raw = os.environ.get("MODELFACTORY_WORKER_MERGED_COPIES", "").strip()
    if not raw:
        return DEFAULT_COPIES
    if not raw.isdigit():
        raise ValueError(f"MODELFACTORY_WORKER_MERGED_COPIES must be a whole number of models (0 turns merged serving off), got {raw!r}")
    return int(raw)


def serving_precision_from_env() -> str:
    """The precision of the serving copies: `auto` (the default) is int8 (float32 with a torch
    that lacks the int8 kernel)."""
    raw = os.environ.get("MODELFACTORY_WORKER_SERVING_PRECISION", "").strip() or "auto"
    if raw == "auto":
        return "int8" if INT8_KERNEL else "float32"
    if raw not in PRECISIONS:
        raise ValueError(f"MODELFACTORY_WORKER_SERVING_PRECISION must be auto, float32, bfloat16 or int8, got {raw!r}")
    if raw == "int8" and not INT8_KERNEL:
        raise ValueError(
            f"MODELFACTORY_WORKER_SERVING_PRECISION=int8 needs torch's _weight_int8pack_mm, which torch {torch.__version__} lacks"
        )
    if raw == "bfloat16" and not cpu_has_native_bf16():
        print(
            "MODELFACTORY_WORKER_SERVING_PRECISION=bfloat16 on a CPU without AVX512-BF16 or AMX: its bf16 arithmetic is emulated here, "
            "and a prefill is slower than in float32 (int8 widens its prefills to float32 here)",
            file=sys.stderr,
        )
    return raw


# Up to this many rows the int8 kernel multiplies; above, the weight is widened to bf16 first. For
# 1,000 rows of SmolLM2-135M's 576 x 1536 layer: 23 ms with the int8 kernel, 8.7 ms widened (16 ms
# in fp32); for one row the int8 kernel's 30 us against 77 us in fp32.
PACKED_ROWS = 16


class Int8Linear(torch.nn.Module):
    """A linear layer's weight in int8 with one scale per output row (weight-only quantization):
    a quarter of fp32's bytes. A decode step's matmul takes bf16 inputs (torch's int8-weight
    kernel); a prefill widens the weight to `widen` (bf16 where the CPU multiplies it natively,
    else fp32). The input and output stay in the model's dtype, so norms, attention and the
    residual sum do too."""

    def __init__(self, linear: torch.nn.Linear, widen: torch.dtype = torch.bfloat16):
        super().__init__()
        w = linear.weight.detach().float()
        scale = (w.abs().amax(dim=1) / 127).clamp(min=torch.finfo(torch.float32).tiny)
        self.register_buffer("weight_int8", torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8))
        self.register_buffer("scale", scale.to(torch.bfloat16))
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().clone())
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.widen = widen

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.in_features)
        if flat.shape[0] <= PACKED_ROWS:  # a decode step: the int8 kernel reads a quarter of the bytes
            y = torch.ops.aten._weight_int8pack_mm(flat.to(torch.bfloat16), self.weight_int8, self.scale)
        else:  # a prefill: compute-bound, where the weight widened once is faster than the int8 kernel
            weight = self.weight_int8.to(self.widen) * self.scale.to(self.widen)[:, None]
            y = torch.nn.functional.linear(flat.to(self.widen), weight)
        y = y.to(x.dtype)
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*x.shape[:-1], self.out_features)


def _to_precision(model: torch.nn.Module, precision: str) -> None:
    if precision == "bfloat16":
        model.to(torch.bfloat16)
    elif precision == "int8":  # from the loaded weights, whatever their dtype
        # Without native bf16 a prefill's bf16 matmul is emulated: it widens to fp32 instead.
        widen = torch.bfloat16 if cpu_has_native_bf16() else torch.float32
        # Every linear layer, the output head included (a tied head keeps its fp32 embedding).
        for module in list(model.modules()):
            for name, child in list(module.named_children()):
                if type(child) is torch.nn.Linear:
                    setattr(module, name, Int8Linear(child, widen))


class MergedCopies:
    def __init__(self, limit: int, precision: str = "float32"):
        self.limit = limit
        self.precision = precision
        self._copies: OrderedDict[str | None, torch.nn.Module] = OrderedDict()
        self.built = 0

    def __len__(self) -> int:
        return len(self._copies)

    def clear(self) -> None:
        self._copies.clear()

    def eligible(self, model, device: torch.device, quantization: str, adapter: str | None) -> bool:
        """Whether answers with `adapter` (None: the base) come from a copy: one with the adapter
        merged in, or for the base one in a serving precision other than float32 (as loaded)."""
        if self.limit <= 0 or device.type != "cpu" or quantization != "none":
            return False
        if adapter is not None:
            return is_peft(model)
        return self.precision != "float32"

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
            _to_precision(twin, self.precision)  # merged in the loaded precision first, then rounded once
        twin.eval()
        for p in twin.parameters():
            p.requires_grad_(False)
        self._copies[adapter] = twin
        self.built += 1
        return twin

    def stats(self) -> dict:
        return {"limit": self.limit, "precision": self.precision, "copies": list(self._copies), "built": self.built}
