"""QLoRA: the frozen base in 4-bit NF4 with double quantization, LoRA adapters on top.

One switch picks the backend: bitsandbytes on CUDA (what QLoRA was built on), our own NF4
(nf4.py) on CPU, where bitsandbytes has no 4-bit training path.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .errors import WorkerError
from .nf4 import NF4Linear

BACKENDS = ("auto", "bitsandbytes", "cpu")


def bitsandbytes_available() -> bool:
    try:
        import bitsandbytes  # noqa: F401
    except Exception:  # noqa: BLE001 - bitsandbytes raises more than ImportError when its native library is absent
        return False
    return True


def resolve_backend(requested: str, device: torch.device) -> str:
    if requested not in BACKENDS:
        raise WorkerError("bad_request", f"quant_backend must be one of {', '.join(BACKENDS)}, got {requested!r}")
    if requested == "bitsandbytes" or (requested == "auto" and device.type == "cuda"):
        if device.type != "cuda":
            raise WorkerError("bad_request", "quant_backend 'bitsandbytes' needs a CUDA device; use 'cpu' or 'auto'")
        if not bitsandbytes_available():
            if requested == "bitsandbytes":
                raise WorkerError("bad_request", "bitsandbytes is not installed in the worker's environment")
            return "cpu-nf4"
        return "bitsandbytes"
    return "cpu-nf4"


def bnb_quantization_config(compute_dtype: torch.dtype):
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=compute_dtype
    )


def quantize_model_nf4(model: nn.Module, skip: tuple[str, ...] = ("lm_head",), compute_dtype: torch.dtype | None = None) -> int:
    """Replace every nn.Linear (but the output head) with an NF4Linear, in place; returns the count.

    Each layer is quantized and its full-precision weight released before the next one.
    """
    targets = [name for name, m in model.named_modules() if type(m) is nn.Linear and name.split(".")[-1] not in skip]
    for name in targets:  # names, not modules: each replaced layer is freed right away
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, NF4Linear(getattr(parent, child), compute_dtype))
    for p in model.parameters():
        p.requires_grad_(False)
    return len(targets)


def quantization_report(model: nn.Module) -> dict:
    """Bits per parameter actually stored for the quantized weights, and their size vs bf16."""
    bits, params = 0, 0
    for m in model.modules():
        if isinstance(m, NF4Linear):
            bits += m.stored_bits
            params += m.in_features * m.out_features
        elif type(m).__name__ == "Linear4bit":  # bitsandbytes: packed uint8 weight + quant state
            w = m.weight
            qs = getattr(w, "quant_state", None)
            b = w.numel() * w.element_size() * 8
            if qs is not None:
                b += qs.absmax.numel() * qs.absmax.element_size() * 8
                if getattr(qs, "state2", None) is not None:
                    b += qs.state2.absmax.numel() * qs.state2.absmax.element_size() * 8 + 32
            bits += b
            params += m.in_features * m.out_features
    if params == 0:
        return {"quantized_parameters": 0}
    return {
        "quantized_parameters": params,
        "stored_bytes": bits // 8,
        "bits_per_parameter": bits / params,
        "ratio_to_bf16": bits / (params * 16),
    }
