"""4-bit NormalFloat (NF4) with double quantization, in plain PyTorch: the CPU path of QLoRA.

Same format as QLoRA / bitsandbytes: blocks of 64 weights share one absmax scale, each weight is
one of 16 NF4 levels (two per byte); the absmax scales are themselves quantized to int8 in blocks
of 256 around their mean. Storage: 4 + 8/64 + 32/(64*256) bits per weight, about 4.127.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCK = 64
DQ_BLOCK = 256


def nf4_code() -> torch.Tensor:
    """The 16 NF4 levels from their definition: quantiles of N(0, 1), an exact zero, scaled to [-1, 1].

    8 positive levels at quantiles of linspace(d, 1/2) and 7 negative ones at linspace(d, 1/2),
    with d = (1/2)(1/32 + 1/30) chosen so the extreme level is finite (Dettmers et al., 2023).
    """
    d = 0.5 * (1 / 32 + 1 / 30)
    p = 1 - d
    pos = torch.special.ndtri(torch.linspace(p, 0.5, 9, dtype=torch.float64)[:-1])
    neg = -torch.special.ndtri(torch.linspace(p, 0.5, 8, dtype=torch.float64)[:-1])
    v = torch.cat([pos, torch.zeros(1, dtype=torch.float64), neg]).sort().values
    return (v / v.abs().max()).to(torch.float32)


CODE = nf4_code()
_MIDPOINTS = (CODE[1:] + CODE[:-1]) / 2
# byte -> (level of high nibble, level of low nibble): dequantization is one gather.
_PAIRS = torch.stack([CODE[torch.arange(256) >> 4], CODE[torch.arange(256) & 15]], dim=1)


@dataclass
class NF4Tensor:
    packed: torch.Tensor  # uint8 [ceil(n / 2)]
    absmax_q: torch.Tensor  # int8 [n_blocks]
    absmax_scale: torch.Tensor  # float32 [ceil(n_blocks / DQ_BLOCK)]
    absmax_mean: torch.Tensor  # float32 scalar
    shape: tuple[int, ...]

    @property
    def stored_bits(self) -> int:
        return self.packed.numel() * 8 + self.absmax_q.numel() * 8 + self.absmax_scale.numel() * 32 + 32


def _pad_to(x: torch.Tensor, multiple: int) -> torch.Tensor:
    extra = (-x.numel()) % multiple
    return F.pad(x, (0, extra)) if extra else x


def quantize(weight: torch.Tensor) -> NF4Tensor:
    w = _pad_to(weight.detach().float().flatten(), BLOCK).view(-1, BLOCK)
    absmax = w.abs().amax(dim=1).clamp_min(torch.finfo(torch.float32).tiny)
    idx = torch.bucketize(w / absmax[:, None], _MIDPOINTS.to(w.device)).to(torch.uint8).flatten()
    packed = (idx[0::2] << 4) | idx[1::2]
    # Double quantization of the scales: int8 around their mean, one fp32 scale per 256 of them.
    mean = absmax.mean()
    centered = _pad_to(absmax - mean, DQ_BLOCK).view(-1, DQ_BLOCK)
    scale = centered.abs().amax(dim=1).clamp_min(torch.finfo(torch.float32).tiny) / 127
    q = torch.round(centered / scale[:, None]).clamp(-127, 127).to(torch.int8).flatten()[: absmax.numel()]
    return NF4Tensor(packed.contiguous(), q, scale, mean, tuple(weight.shape))


def dequantize_absmax(t: NF4Tensor) -> torch.Tensor:
    n = t.absmax_q.numel()
    scale = t.absmax_scale.repeat_interleave(DQ_BLOCK)[:n]
    return t.absmax_q.float() * scale + t.absmax_mean


def dequantize(t: NF4Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    pairs = _PAIRS.to(t.packed.device)[t.packed.long()]  # [n/2, 2]
    w = pairs.view(-1, BLOCK) * dequantize_absmax(t)[:, None]
    numel = 1
    for s in t.shape:
        numel *= s
    return w.flatten()[:numel].view(t.shape).to(dtype)


class _MatmulNF4(torch.autograd.Function):
    """x @ W^T with W dequantized on the fly; only the 4-bit form is kept for backward."""

    @staticmethod
    def forward(ctx, x, layer):
        ctx.layer = layer
        return x @ layer.dequantized(x.dtype).t()

    @staticmethod
    def backward(ctx, grad):
        return grad @ ctx.layer.dequantized(grad.dtype), None


class NF4Linear(nn.Linear):
    """A frozen nn.Linear stored in NF4. Subclasses nn.Linear so PEFT wraps it like any linear layer."""

    def __init__(self, linear: nn.Linear, compute_dtype: torch.dtype | None = None):
        nn.Module.__init__(self)
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.compute_dtype = compute_dtype or linear.weight.dtype
        q = quantize(linear.weight.data)
        self.register_buffer("packed", q.packed)
        self.register_buffer("absmax_q", q.absmax_q)
        self.register_buffer("absmax_scale", q.absmax_scale)
        self.register_buffer("absmax_mean", q.absmax_mean)
        self.shape = q.shape
        if linear.bias is not None:
            self.bias = nn.Parameter(linear.bias.data.to(self.compute_dtype).clone(), requires_grad=False)
        else:
            self.register_parameter("bias", None)

    def nf4(self) -> NF4Tensor:
        return NF4Tensor(self.packed, self.absmax_q, self.absmax_scale, self.absmax_mean, self.shape)

    def dequantized(self, dtype: torch.dtype | None = None) -> torch.Tensor:
        return dequantize(self.nf4(), dtype or self.compute_dtype)

    @property
    def weight(self) -> torch.Tensor:  # read-only view for code that inspects weight dtype/device/values
        return self.dequantized()

    @property
    def stored_bits(self) -> int:
        return self.nf4().stored_bits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = _MatmulNF4.apply(x, self)
        return out + self.bias if self.bias is not None else out

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, nf4, double-quant"
