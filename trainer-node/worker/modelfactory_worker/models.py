"""Loading any local Hugging Face causal LM (offline), and where it runs.

fp32 on CPU, bf16 on GPU, SDPA attention. Loading never touches a hub: HF_HUB_OFFLINE is forced.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import functools
import json
from dataclasses import dataclass

import torch

from .errors import WorkerError


def pick_device(requested: str = "auto") -> torch.device:
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise WorkerError("bad_request", f"device '{requested}' asked for but CUDA is not available")
    return torch.device(requested)


@functools.cache
def cpu_has_native_bf16() -> bool:
    """Whether this CPU multiplies bf16 in hardware (AVX512-BF16 or AMX-BF16), from /proc/cpuinfo.
    Elsewhere bf16 arithmetic is emulated and slower than fp32."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return "avx512_bf16" in flags or "amx_bf16" in flags
    except OSError:
        pass
    return False


PRECISIONS = ("auto", "fp32", "bf16")


def cpu_bf16_autocast(precision: str, device: torch.device, dtype: torch.dtype) -> bool:
    """Whether training and evaluation on `device` run their matmuls under bf16 autocast.

    Only on a CPU and only over float32 weights (master weights, LoRA weights, optimizer state and
    the output head stay float32). `auto` takes it where the CPU multiplies bf16 natively, where it
    measured 1.4-1.6x the tokens/s of float32 on the demo's LoRA; elsewhere bf16 is emulated and
    slower, so `auto` stays float32 and `bf16` runs as asked. On a GPU the load dtype decides.
    """
    if precision not in PRECISIONS:
        raise WorkerError("bad_request", f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if device.type != "cpu":
        if precision != "auto":
            raise WorkerError(
                "bad_request",
                f"precision {precision!r} applies to CPU training and evaluation; on {device} the model's dtype decides (leave it 'auto')",
            )
        return False
    if dtype != torch.float32:
        return False  # weights already in a half dtype compute in it
    return precision == "bf16" or (precision == "auto" and cpu_has_native_bf16())


def compute_label(device: torch.device, dtype: torch.dtype, autocast_bf16: bool) -> str:
    """What the matmuls of a run computed in, as results report it: 'bf16-autocast', or the dtype's name."""
    if autocast_bf16:
        return "bf16-autocast"
    return {torch.float32: "fp32", torch.bfloat16: "bfloat16", torch.float16: "float16"}.get(dtype, str(dtype))


def device_label(device: torch.device) -> str:
    """The device as torch names it, CUDA index resolved ('cpu', 'cuda:0'): what the protocol reports."""
    if device.type == "cuda":
        return f"cuda:{device.index if device.index is not None else torch.cuda.current_device()}"
    return str(device)


def pick_dtype(requested: str, device: torch.device) -> torch.dtype:
    if requested == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    table = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
    if requested not in table:
        raise WorkerError("bad_request", f"dtype must be auto, float32, bfloat16 or float16, got {requested!r}")
    return table[requested]


@dataclass
class LoadedModel:
    model: torch.nn.Module  # a transformers PreTrainedModel (causal LM)
    tokenizer: object
    path: str
    device: torch.device
    dtype: torch.dtype
    model_type: str
    quantization: str  # "none" | "nf4"
    quant_backend: str | None  # "bitsandbytes" | "cpu-nf4" | None


def read_model_type(path: str) -> str:
    if not os.path.isdir(path):
        raise WorkerError("file_not_found", f"model folder not found: {path}", {"path": path})
    cfg = os.path.join(path, "config.json")
    if not os.path.isfile(cfg):
        raise WorkerError("unsupported_model", f"{path} has no config.json: not a Hugging Face model folder", {"path": path})
    try:
        with open(cfg, encoding="utf-8") as f:
            return str(json.load(f).get("model_type", ""))
    except (OSError, json.JSONDecodeError) as e:
        raise WorkerError("unsupported_model", f"{cfg} is not readable JSON: {e}", {"path": path}) from None


def load_model(
    path: str,
    *,
    device: str = "auto",
    dtype: str = "auto",
    quantization: str = "none",
    quant_backend: str = "auto",
    gradient_checkpointing: bool = False,
) -> LoadedModel:
    """Load tokenizer and causal LM from a local folder; quantization 'nf4' freezes it in 4 bits."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    if quantization not in ("none", "nf4"):
        raise WorkerError("bad_request", f"quantization must be 'none' or 'nf4', got {quantization!r}")
    model_type = read_model_type(path)
    dev = pick_device(device)
    dt = pick_dtype(dtype, dev)
    try:
        config = AutoConfig.from_pretrained(path, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    except (ValueError, KeyError, OSError) as e:
        raise WorkerError(
            "unsupported_model",
            f"transformers cannot load {path} (model_type {model_type!r}): {e}",
            {"path": path, "model_type": model_type},
        ) from None
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    backend = None
    kwargs: dict = {"local_files_only": True, "attn_implementation": "sdpa"}
    if quantization == "nf4":
        from .qlora import resolve_backend, bnb_quantization_config

        backend = resolve_backend(quant_backend, dev)
        if backend == "bitsandbytes":
            kwargs["quantization_config"] = bnb_quantization_config(dt)
            kwargs["device_map"] = {"": dev.index or 0}
    # The CPU NF4 path quantizes from bf16: half the loading peak of fp32, and bf16's 8-bit mantissa
    # is far finer than NF4's 16 levels. What stays unquantized is cast back to the compute dtype.
    load_dtype = torch.bfloat16 if backend == "cpu-nf4" else dt
    try:
        model = AutoModelForCausalLM.from_pretrained(path, config=config, dtype=load_dtype, **kwargs)
    except ValueError as e:
        raise WorkerError(
            "unsupported_model",
            f"transformers cannot load {path} as a causal LM (model_type {model_type!r}): {e}",
            {"path": path, "model_type": model_type},
        ) from None
    if backend != "bitsandbytes":
        model.to(dev)
    if backend == "cpu-nf4":
        from .qlora import quantize_model_nf4

        quantize_model_nf4(model, compute_dtype=dt)
        model.to(dt)
    model.eval()
    if dev.type == "cpu":
        from .decode import use_decode_attention

        use_decode_attention(model)
    if gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.config.use_cache = False
    return LoadedModel(model, tokenizer, path, dev, dt, model_type, quantization, backend)


def count_parameters(model: torch.nn.Module) -> dict:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    from .nf4 import NF4Linear

    quantized = sum(m.in_features * m.out_features for m in model.modules() if isinstance(m, NF4Linear))
    return {"total": total + quantized, "trainable": trainable, "quantized": quantized}
