"""FLOP counts of a training step and MFU against a matmul peak measured on this machine.

Counts follow nanoGPT / PaLM: 2 FLOPs per multiply-add of every linear layer a token passes
through, plus attention's QK^T and AV. Backward costs one forward for input gradients and, only
for trainable weights, one more for weight gradients: LoRA does not pay for frozen weights.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn as nn

_PEAK_CACHE: dict[tuple, float] = {}


def measure_matmul_peak(device: torch.device, dtype: torch.dtype, seconds: float = 0.5) -> float:
    """Best FLOP/s of a square matmul sized for the device; measured once per (device, dtype, threads)."""
    key = (device.type, dtype, torch.get_num_threads())
    if key in _PEAK_CACHE:
        return _PEAK_CACHE[key]
    n = 4096 if device.type == "cuda" else 1024
    g = torch.Generator(device=device).manual_seed(0)  # never disturb the training RNG stream
    a = torch.randn(n, n, device=device, dtype=dtype, generator=g)
    b = torch.randn(n, n, device=device, dtype=dtype, generator=g)
    best = 0.0
    deadline = time.perf_counter() + seconds
    for i in range(1000):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(4):
            a @ b
        if device.type == "cuda":
            torch.cuda.synchronize()
        dt = time.perf_counter() - t
        if i > 0:  # the first round warms caches and thread pools
            best = max(best, 4 * 2 * n**3 / dt)
        if time.perf_counter() > deadline and i >= 2:
            break
    _PEAK_CACHE[key] = best
    return best


@dataclass
class FlopModel:
    """Per-token FLOPs of the model's parts, read off its modules."""

    body_linear: float  # forward FLOPs per token in the decoder's linear layers (incl. LoRA)
    body_trainable: float  # of which in trainable weights (weight gradients are computed for them)
    head: float  # forward FLOPs per token of the output head
    head_trainable: bool
    attn_per_ctx: float  # forward attention FLOPs per token per context position (4 * layers * d_attn)

    def step_flops(self, tokens: int, head_tokens: int, ctx_sq_sum: int, recompute: bool = False) -> float:
        """FLOPs of forward + backward for `tokens` tokens, the head run on `head_tokens` of them.

        ctx_sq_sum: sum over sequences (packed segments or padded rows) of length^2, for attention.
        """
        fwd = self.body_linear * tokens + self.head * head_tokens + self.attn_per_ctx * ctx_sq_sum
        bwd_input = fwd
        bwd_weight = self.body_trainable * tokens + (self.head * head_tokens if self.head_trainable else 0)
        return fwd * (2 if recompute else 1) + bwd_input + bwd_weight


def flop_model(model: nn.Module) -> FlopModel:
    from .lora import base_model
    from .nf4 import NF4Linear

    lm = base_model(model)
    head_mod = lm.get_output_embeddings()
    head_ids = {id(m) for m in head_mod.modules()} if head_mod is not None else set()
    body, body_tr, head, head_tr = 0.0, 0.0, 0.0, False
    for m in lm.modules():
        if not isinstance(m, nn.Linear):
            continue
        f = 2.0 * m.in_features * m.out_features
        trainable = (not isinstance(m, NF4Linear)) and any(p.requires_grad for p in m.parameters(recurse=False))
        if id(m) in head_ids:
            head += f
            head_tr = head_tr or trainable
        else:
            body += f
            body_tr += f if trainable else 0.0
    cfg = lm.config
    layers = getattr(cfg, "num_hidden_layers", 0)
    heads = getattr(cfg, "num_attention_heads", 0)
    head_dim = getattr(cfg, "head_dim", None) or (cfg.hidden_size // max(heads, 1))
    # QK^T and AV: 2 matmuls * 2 FLOPs * d_attn per context position, per layer.
    attn = 4.0 * layers * heads * head_dim
    return FlopModel(body, body_tr, head, head_tr, attn)
