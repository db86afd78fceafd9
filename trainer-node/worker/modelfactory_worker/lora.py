"""LoRA through PEFT: adapter specs, attaching several named adapters to one base, saving and
loading them in PEFT's own format (adapter_config.json + adapter_model.safetensors), merging."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

import torch

from .errors import WorkerError

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def check_adapter_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or name in (".", ".."):
        raise WorkerError("bad_request", f"adapter name must match [A-Za-z0-9_.-]{{1,64}}, got {name!r}")
    return name


@dataclass
class LoraSpec:
    """LoRA hyperparameters. targets: 'all-linear' or a list of module names (q_proj, v_proj ...)."""

    r: int = 16
    alpha: float = 32.0
    dropout: float = 0.0
    targets: str | list[str] = "all-linear"
    rslora: bool = False  # scale alpha/sqrt(r) instead of alpha/r
    dora: bool = False  # weight-decomposed LoRA
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict | None) -> "LoraSpec":
        d = dict(d or {})
        spec = cls()
        for key in ("r", "alpha", "dropout", "targets", "rslora", "dora"):
            if key in d:
                setattr(spec, key, d.pop(key))
        if d:
            raise WorkerError("bad_request", f"unknown lora field(s): {', '.join(sorted(d))}")
        if not isinstance(spec.r, int) or isinstance(spec.r, bool) or spec.r < 1:
            raise WorkerError("bad_request", f"lora.r must be a positive integer, got {spec.r!r}")
        if not isinstance(spec.alpha, (int, float)) or spec.alpha <= 0:
            raise WorkerError("bad_request", f"lora.alpha must be a positive number, got {spec.alpha!r}")
        if not isinstance(spec.dropout, (int, float)) or not 0 <= spec.dropout < 1:
            raise WorkerError("bad_request", f"lora.dropout must be in [0, 1), got {spec.dropout!r}")
        ok_targets = spec.targets == "all-linear" or (
            isinstance(spec.targets, list) and spec.targets and all(isinstance(t, str) for t in spec.targets)
        )
        if not ok_targets:
            raise WorkerError("bad_request", "lora.targets must be 'all-linear' or a non-empty list of module names")
        return spec

    def scaling(self) -> float:
        return self.alpha / (self.r**0.5 if self.rslora else self.r)

    def peft_config(self):
        from peft import LoraConfig

        return LoraConfig(
            task_type="CAUSAL_LM",
            r=self.r,
            lora_alpha=self.alpha,
            lora_dropout=self.dropout,
            target_modules=self.targets,
            use_rslora=self.rslora,
            use_dora=self.dora,
            bias="none",
        )


def is_peft(model) -> bool:
    from peft import PeftModel

    return isinstance(model, PeftModel)


def base_model(model):
    """The transformers model under a PeftModel (with LoRA layers injected), or the model itself."""
    return model.get_base_model() if is_peft(model) else model


def attach(model, spec: LoraSpec, name: str):
    """Add a fresh adapter `name` (replacing one of that name) and make it the only trainable part."""
    from peft import get_peft_model

    try:
        if not is_peft(model):
            model = get_peft_model(model, spec.peft_config(), adapter_name=name)
        else:
            if name in model.peft_config:
                model.delete_adapter(name)
            model.add_adapter(name, spec.peft_config())
    except ValueError as e:  # PEFT: no module matched the targets, or the layer type is unsupported
        raise WorkerError("bad_request", f"cannot attach LoRA: {e}") from None
    model.set_adapter(name)
    for pname, p in model.named_parameters():
        p.requires_grad_(f".{name}." in pname and "lora_" in pname)
    return model


def adapter_parameters(model, name: str) -> list[tuple[str, torch.nn.Parameter]]:
    return [(n, p) for n, p in model.named_parameters() if f".{name}." in n and "lora_" in n]


def save_adapter(model, name: str, out_dir: str) -> str:
    """Write adapter `name` to out_dir in PEFT's layout, loadable by PeftModel.from_pretrained."""
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    if not is_peft(model) or name not in model.peft_config:
        raise WorkerError("unknown_adapter", f"no adapter named {name!r} is loaded")
    os.makedirs(out_dir, exist_ok=True)
    state = get_peft_model_state_dict(model, adapter_name=name)
    save_file(
        {k: v.detach().contiguous().cpu() for k, v in state.items()},
        os.path.join(out_dir, "adapter_model.safetensors"),
        metadata={"format": "pt"},
    )
    config = model.peft_config[name]
    config.save_pretrained(out_dir)
    _sort_set_fields(config, os.path.join(out_dir, "adapter_config.json"))
    return out_dir


def _sort_set_fields(config, path: str) -> None:
    """PEFT writes set-valued fields (target_modules resolved from 'all-linear') as list(set), in an
    order that changes with PYTHONHASHSEED, so the same training gave different adapter bytes (and
    CIDs) from run to run. Rewrite them sorted, in PEFT's own JSON layout."""
    sets = [k for k, v in config.to_dict().items() if isinstance(v, set)]
    if not sets:
        return
    with open(path, encoding="utf-8") as f:
        saved = json.load(f)
    for k in sets:
        saved[k] = sorted(saved[k])
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(saved, indent=2, sort_keys=True))


def load_adapter(model, path: str, name: str):
    """Load a PEFT adapter folder under `name`; returns the (possibly new) PeftModel."""
    from peft import PeftModel

    if not os.path.isfile(os.path.join(path, "adapter_config.json")):
        raise WorkerError("file_not_found", f"no PEFT adapter (adapter_config.json) in {path}", {"path": path})
    try:
        if not is_peft(model):
            model = PeftModel.from_pretrained(model, path, adapter_name=name, is_trainable=False)
        else:
            if name in model.peft_config:
                model.delete_adapter(name)
            model.load_adapter(path, adapter_name=name, is_trainable=False)
    except (ValueError, KeyError, RuntimeError) as e:
        raise WorkerError("bad_request", f"adapter {path} does not fit the loaded model: {e}") from None
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def merged_copy(base_path: str, adapter_path: str, out_dir: str, dtype: torch.dtype = torch.float32) -> str:
    """Export base + adapter as one plain model (W + scaling * B @ A), from a fresh full-precision base."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(base_path, dtype=dtype, local_files_only=True)
    merged = PeftModel.from_pretrained(base, adapter_path).merge_and_unload()
    merged.save_pretrained(out_dir, safe_serialization=True)
    AutoTokenizer.from_pretrained(base_path, local_files_only=True).save_pretrained(out_dir)
    return out_dir
