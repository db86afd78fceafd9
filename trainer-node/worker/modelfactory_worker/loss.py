"""Summed next-token cross-entropy over trained positions; the head runs only where it is needed.

Running the decoder and then the output head on trained positions only (not on prompts and
padding) is the same loss as transformers' own, for a fraction of the head's cost.
"""

from __future__ import annotations

from contextlib import nullcontext

import torch
import torch.nn.functional as F

from .chat import IGNORE
from .data import Batch
from .lora import base_model


def autocast_for(device: torch.device, dtype: torch.dtype, cpu_bf16: bool = False):
    """The autocast of a forward pass: the GPU's half dtype, or bf16 on a CPU where
    models.cpu_bf16_autocast chose it; else none."""
    if device.type == "cuda" and dtype in (torch.bfloat16, torch.float16):
        return torch.autocast("cuda", dtype=dtype)
    if cpu_bf16 and device.type == "cpu":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return nullcontext()


def _head_logits(lm, hidden: torch.Tensor) -> torch.Tensor:
    if hidden.device.type == "cpu" and torch.is_autocast_enabled("cpu"):
        # The head stays float32 under CPU autocast: bf16 logits of a 49k vocabulary would round
        # each by up to ~0.1 nat, which the loss and the report's perplexity would carry.
        with torch.autocast("cpu", enabled=False):
            return _head_logits(lm, hidden.float())
    logits = lm.get_output_embeddings()(hidden)
    cfg = lm.config
    scale = getattr(cfg, "logit_scale", None)  # Cohere
    if isinstance(scale, (int, float)):
        logits = logits * scale
    cap = getattr(cfg, "final_logit_softcapping", None)  # Gemma 2/3
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return logits


def _selected_logits(model, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits at the trained positions, the boolean mask of those positions)."""
    lm = base_model(model)
    selected = batch.targets != IGNORE
    kwargs = {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask, "use_cache": False}
    if batch.position_ids is not None:
        kwargs["position_ids"] = batch.position_ids
    decoder = lm.get_decoder() if hasattr(lm, "get_decoder") else None
    if decoder is not None and decoder is not lm:
        hidden = decoder(**kwargs).last_hidden_state
        return _head_logits(lm, hidden[selected]), selected
    # a model without a separable decoder: full logits, then select
    return lm(**kwargs).logits[selected], selected


def batch_loss(model, batch: Batch) -> tuple[torch.Tensor, int]:
    """(sum of token losses, number of trained tokens) for one batch already on the model's device."""
    logits, selected = _selected_logits(model, batch)
    loss = F.cross_entropy(logits.float(), batch.targets[selected], reduction="sum")
    return loss, int(selected.sum())


def token_losses(model, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """(loss of every trained token, in row-major order of `selected`; the mask `selected`)."""
    logits, selected = _selected_logits(model, batch)
    return F.cross_entropy(logits.float(), batch.targets[selected], reduction="none"), selected
