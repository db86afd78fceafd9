"""The token-by-token loop's two costs beside the weights, made small on a CPU.

A decode step of SmolLM2-135M with a ~830-token context took 83 ms on two cores, of which the
weight matmuls were 44 ms. The rest was mostly two things this module replaces:

- transformers' DynamicCache appends a token with `torch.cat`, copying every layer's whole key and
  value cache at every step (5 ms a step at 830 tokens, growing with the context). GrowingCache
  writes into buffers with spare room, doubled when full, and hands out views.
- SDPA on a CPU takes its reference path for a grouped-query single-token step: it repeats the
  shared key/value heads for every query head, then runs unfused (22 ms a step). The decode
  attention here groups the query heads over their shared key/value head instead, two small
  matmuls and a softmax, with no copy (padded batches too: the padding mask is applied to the
  scores).

Both are exact up to float rounding; every other call (training, prefill, padded batches,
sliding windows, soft-capping) still goes through SDPA."""

from __future__ import annotations

from typing import Any

import torch

ATTENTION = "modelfactory_sdpa"
_registered = False


def _decode_attention(
    module: torch.nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    **kwargs: Any,
) -> tuple[torch.Tensor, None]:
    """One query token per sequence (a decode step, padded batches included): the query heads of a
    group read their key/value head in place, padding masked out. Anything else goes to
    transformers' SDPA function."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    batch, heads, q_len, dim = query.shape
    kv_heads = key.shape[1]
    mask = attention_mask
    if mask is not None and mask.ndim == 4:
        mask = mask[:, :, :, : key.shape[-2]]
    plain = (
        q_len == 1
        and (mask is None or (mask.ndim == 4 and mask.shape[1] == 1 and mask.shape[2] == 1))
        and dropout == 0.0
        and not module.training
        and heads % kv_heads == 0
        and getattr(module, "sliding_window", None) is None
        and kwargs.get("softcap") is None
        and kwargs.get("s_aux") is None
        and not kwargs.get("output_attentions", False)
    )
    if not plain:
        if mask is None and heads != kv_heads and heads % kv_heads == 0 and query.device.type == "cpu":
            # With no mask transformers asks SDPA for grouped heads (enable_gqa), which on a CPU runs
            # the unfused math path: 70 ms a layer for a 1,100-token prefill against 13 ms for the
            # flash kernel on repeated heads, and twice the time in training. Repeated here, the
            # heads are equal and SDPA takes its flash kernel.
            from transformers.integrations.sdpa_attention import repeat_kv

            key, value = repeat_kv(key, heads // kv_heads), repeat_kv(value, heads // kv_heads)
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs)
    q = query.reshape(batch, kv_heads, heads // kv_heads, dim)
    scores = torch.matmul(q, key.transpose(-1, -2))  # [batch, kv_heads, group, keys]
    scores.mul_(scaling if scaling is not None else dim**-0.5)
    if mask is not None:  # [batch, 1, 1, keys]: True (or 0.0) where a key may be read
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    out = torch.matmul(torch.softmax(scores, dim=-1), value)  # [batch, kv_heads, group, dim]
    return out.reshape(batch, 1, heads, dim), None


def _register() -> None:
    global _registered
    if _registered:
        return
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(ATTENTION, _decode_attention)
    # Masks are built exactly as for SDPA, so padded batches and prefills behave as before.
    AttentionMaskInterface.register(ATTENTION, sdpa_mask)
    _registered = True


def use_decode_attention(model: torch.nn.Module) -> bool:
    """Switch a model that uses SDPA to the decode attention; False (and nothing changed) for a model
    on another implementation or one that cannot switch (older architectures without transformers'
    attention interface)."""
    config = getattr(model, "config", None)
    if config is None or getattr(config, "_attn_implementation", None) != "sdpa":
        return False
    _register()
    try:
        model.set_attn_implementation(ATTENTION)
    except (ValueError, AttributeError, NotImplementedError):
        return False
    return model.config._attn_implementation == ATTENTION


def _layer_class():
    from transformers.cache_utils import DynamicLayer

    class GrowingLayer(DynamicLayer):
        """DynamicLayer whose keys and values are views of buffers with room to grow."""

        def _adopt(self, keys: torch.Tensor, values: torch.Tensor, room: int) -> None:
            shape = (*keys.shape[:-2], max(room, 2 * keys.shape[-2], 64), keys.shape[-1])
            self._k, self._v = keys.new_empty(shape), values.new_empty(shape)
            n = keys.shape[-2]
            self._k[..., :n, :] = keys
            self._v[..., :n, :] = values
            self._n = n
            self._views()

        def _views(self) -> None:
            self.keys = self._k[..., : self._n, :]
            self.values = self._v[..., : self._n, :]
            self._own = (self.keys, self.values)

        def _owned(self) -> bool:
            """Whether keys and values are still this layer's views (another method may have
            replaced them: reorder, batch select, offload)."""
            own = getattr(self, "_own", None)
            return own is not None and own[0] is self.keys and own[1] is self.values

        def update(self, key_states, value_states, cache_kwargs=None):
            if not self.is_initialized:
                self.dtype, self.device = key_states.dtype, key_states.device
                self.is_initialized = True
                self._adopt(key_states, value_states, key_states.shape[-2])
                return self.keys, self.values
            if not self._owned():  # start from the tensors that replaced the views
                self._adopt(self.keys, self.values, self.keys.shape[-2] + key_states.shape[-2])
            end = self._n + key_states.shape[-2]
            if end > self._k.shape[-2]:
                self._adopt(self.keys, self.values, end)
            self._k[..., self._n : end, :] = key_states
            self._v[..., self._n : end, :] = value_states
            self._n = end
            self._views()
            return self.keys, self.values

        def crop(self, max_length: int) -> None:
            if not self.is_initialized:
                return
            if max_length < 0:
                max_length = self.get_seq_length() - abs(max_length)
            if not self._owned():
                super().crop(max_length)
                return
            self._n = max(0, min(self._n, max_length))
            self._views()

        @property
        def reserved_nbytes(self) -> int:
            """Bytes the buffers hold, spare room included."""
            return self._k.nbytes + self._v.nbytes if self.is_initialized and hasattr(self, "_k") else 0

    return GrowingLayer


_GROWING_LAYER = None


def growing_cache():
    """A transformers DynamicCache whose layers grow in place (see the module's docstring)."""
    global _GROWING_LAYER
    from transformers import DynamicCache

    if _GROWING_LAYER is None:
        _GROWING_LAYER = _layer_class()
    cache = DynamicCache()
    cache.layer_class_to_replicate = _GROWING_LAYER
    return cache
