"""Memory: what is measured (CUDA allocator peak; on CPU, tracked tensor bytes and process RSS)
and what is estimated (full / LoRA / QLoRA for this model and for a 7B LLaMA-shaped model)."""

from __future__ import annotations

import os
import resource
from contextlib import contextmanager

import psutil
import torch
import torch.nn as nn

MB = 1024 * 1024
NF4_BITS = 4 + 8 / 64 + 32 / (64 * 256)  # nf4.py's storage, the same as bitsandbytes' double quant
# LLaMA-2-7B's shape: the reference for "fits a 7B model in N GB" claims.
LLAMA_7B = {"hidden": 4096, "layers": 32, "intermediate": 11008, "vocab": 32000}


def process_memory(device: torch.device) -> dict:
    """Cheap enough for every progress event."""
    out = {"rss_mb": psutil.Process().memory_info().rss / MB, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if device.type == "cuda":
        out["cuda_allocated_mb"] = torch.cuda.memory_allocated(device) / MB
        out["cuda_peak_mb"] = torch.cuda.max_memory_allocated(device) / MB
    return out


def peak_memory_mb(device: torch.device) -> float:
    """The process's peak so far: the CUDA allocator's on a GPU, else peak RSS."""
    mem = process_memory(device)
    return mem.get("cuda_peak_mb", mem["peak_rss_mb"])


def apply_memory_limit() -> None:
    """MODELFACTORY_WORKER_MEMORY_LIMIT_MB caps the address space above what is mapped at start-up,
    so an oversized job fails with an out_of_memory error instead of taking the machine down. On a
    GPU it caps the CUDA allocator instead (CUDA maps far more address space than it uses)."""
    limit = os.environ.get("MODELFACTORY_WORKER_MEMORY_LIMIT_MB")
    if not limit:
        return
    if torch.cuda.is_available():
        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, int(limit) * 1024 * 1024 / total), 0)
        return

    cap = psutil.Process().memory_info().vms + int(limit) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def device_memory(device: torch.device) -> dict:
    """What a job on `device` can use: the GPU's free and total memory, or the machine's available
    and total RAM (psutil's `available`: free plus what the kernel can reclaim)."""
    if device.type == "cuda":
        free, total = torch.cuda.mem_get_info(device)
        return {"kind": "cuda", "total_mb": total / MB, "available_mb": free / MB}
    vm = psutil.virtual_memory()
    return {"kind": "cpu", "total_mb": vm.total / MB, "available_mb": vm.available / MB}


class _MallInfo2:
    """glibc's mallinfo2() (2.33+): bytes malloc has handed out and not had back, i.e. live
    allocations, free heap fragments excluded. PyTorch's CPU tensors are malloc'ed, so this is the
    CPU counterpart of CUDA's memory_allocated(); RSS is the counterpart of memory_reserved()."""

    _fn = None

    @classmethod
    def in_use(cls) -> int | None:
        if cls._fn is None:
            import ctypes

            class Info(ctypes.Structure):
                _fields_ = [
                    (n, ctypes.c_size_t)
                    for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")
                ]

            try:
                fn = ctypes.CDLL("libc.so.6").mallinfo2
                fn.restype = Info
                cls._fn = fn
            except (OSError, AttributeError):
                cls._fn = False
        if not cls._fn:
            return None
        info = cls._fn()
        return info.uordblks + info.hblkhd


def heap_in_use() -> int | None:
    """Live malloc'ed bytes of this process (None where libc has no mallinfo2)."""
    return _MallInfo2.in_use()


class HeapPeak:
    """Peak of heap_in_use() over a region, sampled whenever autograd saves a tensor (forward) or
    reads one back (backward), and when `sample()` is called (e.g. after an optimizer step)."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.start = heap_in_use() or 0
        self.peak = self.start

    @property
    def grown(self) -> int:
        """Peak minus the value at the last reset: what the region allocated at most."""
        return self.peak - self.start

    def sample(self) -> None:
        now = heap_in_use()
        if now is not None and now > self.peak:
            self.peak = now

    def _passing(self, t):
        self.sample()
        return t

    @contextmanager
    def watch(self):
        with torch.autograd.graph.saved_tensors_hooks(self._passing, self._passing):
            yield self


def _nbytes(t: torch.Tensor) -> int:
    return t.numel() * t.element_size()


def tensor_bytes(model: nn.Module, optimizer: torch.optim.Optimizer | None = None) -> dict:
    """Bytes held by parameters (trainable / frozen), buffers (incl. NF4 storage), grads, optimizer."""
    trainable = sum(_nbytes(p) for p in model.parameters() if p.requires_grad)
    frozen = sum(_nbytes(p) for p in model.parameters() if not p.requires_grad)
    buffers = sum(_nbytes(b) for b in model.buffers())
    grads = sum(_nbytes(p.grad) for p in model.parameters() if p.grad is not None)
    opt = 0
    if optimizer is not None:
        for state in optimizer.state.values():
            opt += sum(_nbytes(v) for v in state.values() if torch.is_tensor(v))
    return {"trainable_params": trainable, "frozen_params": frozen, "buffers": buffers, "grads": grads, "optimizer": opt}


class ActivationMeter:
    """Bytes of tensors autograd saves for backward (activations), parameters excluded."""

    def __init__(self, model: nn.Module):
        self._params = {p.untyped_storage().data_ptr() for p in model.parameters()}
        self._params |= {b.untyped_storage().data_ptr() for b in model.buffers()}
        self._seen: set[int] = set()
        self.bytes = 0

    def _pack(self, t: torch.Tensor):
        try:
            ptr = t.untyped_storage().data_ptr()
        except (RuntimeError, NotImplementedError):
            return t
        if ptr not in self._params and ptr not in self._seen:
            self._seen.add(ptr)
            self.bytes += t.untyped_storage().nbytes()
        return t

    @contextmanager
    def measure(self):
        with torch.autograd.graph.saved_tensors_hooks(self._pack, lambda t: t):
            yield self


def _lora_params(r: int, linear_shapes: list[tuple[int, int]]) -> int:
    return r * sum(i + o for i, o in linear_shapes)


def _estimate(total: int, linear: int, lora: int, act: float, w: int) -> dict:
    """Bytes for full / LoRA / QLoRA with weights of w bytes and AdamW (fp32 moments, fp32 master if w<4)."""
    state = 8 + (4 if w < 4 else 0)
    full = total * (w + w + state) + act
    lora_b = total * w + lora * (w + w + state) + act
    qlora = linear * NF4_BITS / 8 + (total - linear) * w + lora * (w + w + state) + act
    return {"full_mb": full / MB, "lora_mb": lora_b / MB, "qlora_mb": qlora / MB, "activations_mb": act / MB}


def linear_shapes(model: nn.Module) -> list[tuple[int, int]]:
    """(in, out) of the decoder's base linear layers: what 'all-linear' LoRA and NF4 apply to."""
    from .lora import base_model

    lm = base_model(model)
    head = lm.get_output_embeddings()
    skip = {id(m) for m in head.modules()} if head is not None else set()
    shapes = []
    for name, m in lm.named_modules():
        if isinstance(m, nn.Linear) and id(m) not in skip and "lora_" not in name:
            shapes.append((m.in_features, m.out_features))
    return shapes


def memory_report(
    model: nn.Module,
    *,
    device: torch.device,
    dtype: torch.dtype,
    lora_r: int,
    activation_bytes: float,
    tokens_per_micro_batch: int,
    optimizer=None,
    measured_peak_mb: float | None = None,
) -> dict:
    """The evaluation's memory section: measured, breakdown, and estimates here and at 7B."""
    from .lora import base_model

    lm = base_model(model)
    cfg = lm.config
    shapes = linear_shapes(model)
    linear = sum(i * o for i, o in shapes)
    # Everything that is not a decoder linear weight: embeddings, norms, biases, the output head.
    total = linear + sum(p.numel() for n, p in lm.named_parameters() if "lora_" not in n and not _is_decoder_linear_param(lm, n))
    w = 2 if dtype in (torch.bfloat16, torch.float16) else 4
    act = float(activation_bytes)
    hidden, layers = cfg.hidden_size, cfg.num_hidden_layers
    per_unit = act / max(1, tokens_per_micro_batch) / (hidden * layers)
    r7 = LLAMA_7B
    shapes7 = [(r7["hidden"], r7["hidden"])] * 4 + [(r7["hidden"], r7["intermediate"])] * 2 + [(r7["intermediate"], r7["hidden"])]
    shapes7 = shapes7 * r7["layers"]
    linear7 = sum(i * o for i, o in shapes7)
    total7 = linear7 + 2 * r7["vocab"] * r7["hidden"] + (2 * r7["layers"] + 1) * r7["hidden"]
    act7 = per_unit * r7["hidden"] * r7["layers"] * tokens_per_micro_batch * (2 / w)  # in bf16
    measured = {"tensors": tensor_bytes(model, optimizer), **process_memory(device)}
    measured["tensors"] = {k: v / MB for k, v in measured["tensors"].items()}
    if measured_peak_mb is not None:
        measured["training_peak_mb"] = measured_peak_mb
    return {
        "measured": measured,
        "activations_per_token_mb": act / max(1, tokens_per_micro_batch) / MB,
        "this_model": {
            "parameters": total,
            "linear_parameters": linear,
            "lora_parameters": _lora_params(lora_r, shapes),
            "bytes_per_weight": w,
            "tokens_per_micro_batch": tokens_per_micro_batch,
            **_estimate(total, linear, _lora_params(lora_r, shapes), act, w),
        },
        "llama_7b": {
            "parameters": total7,
            "lora_parameters": _lora_params(lora_r, shapes7),
            "bytes_per_weight": 2,
            "tokens_per_micro_batch": tokens_per_micro_batch,
            **_estimate(total7, linear7, _lora_params(lora_r, shapes7), act7, 2),
        },
        "assumptions": "AdamW with fp32 moments (+fp32 master weights when weights are 16-bit); QLoRA base in "
        f"NF4 with double quantization ({NF4_BITS:.3f} bits/weight), head and embeddings "
        "unquantized; 7B activations scaled from this model's measured bytes per token per "
        "(layer x hidden), same tokens per micro-batch, bf16.",
    }


def _is_decoder_linear_param(lm: nn.Module, name: str) -> bool:
    mod_name = name.rpartition(".")[0]
    try:
        m = lm.get_submodule(mod_name)
    except AttributeError:
        return False
    head = lm.get_output_embeddings()
    return isinstance(m, nn.Linear) and m is not head and name.endswith(".weight")
