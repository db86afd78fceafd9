"""Streaming generation with a KV cache: greedy or temperature / top-k / top-p sampling, stop
strings, max tokens, and per-request choice among the adapters loaded over one base."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

import torch

from .decode import growing_cache
from .errors import WorkerError
from .lora import is_peft
from .prefix_cache import PrefixCache


def decode_threads() -> int:
    """MODELFACTORY_WORKER_DECODE_THREADS: CPU threads of the token-by-token loop (0, the default:
    every thread the prompt's prefill uses).

    SmolLM2-135M through the worker on two idle cores decodes 13.2 tokens/s with two threads
    and about 9.5 with one. With both cores busy with other work (a training run beside the chat)
    two OpenMP threads that spin at their barriers fell to about 1 token/s and one thread kept
    6-10, so a node that trains and serves on the same CPU does better with 1 here (or with
    OMP_WAIT_POLICY=PASSIVE, about 10 idle and under load)."""
    raw = os.environ.get("MODELFACTORY_WORKER_DECODE_THREADS", "").strip()
    if not raw:
        return 0
    if not raw.isdigit():
        raise ValueError(f"MODELFACTORY_WORKER_DECODE_THREADS must be a whole number (0: as many as the prefill), got {raw!r}")
    return int(raw)


DECODE_THREADS = decode_threads()


@dataclass
class SamplingParams:
    max_new_tokens: int = 128
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0
    top_k: int = 0  # 0 = no top-k cut
    stop: list[str] = field(default_factory=list)
    seed: int | None = None

    @classmethod
    def from_dict(cls, d: dict) -> "SamplingParams":
        p = cls()
        for key in ("max_new_tokens", "temperature", "top_p", "top_k", "stop", "seed"):
            if key in d and d[key] is not None:
                setattr(p, key, d[key])
        if not isinstance(p.max_new_tokens, int) or not 1 <= p.max_new_tokens <= 32768:
            raise WorkerError("bad_request", f"max_new_tokens must be an integer in [1, 32768], got {p.max_new_tokens!r}")
        if not isinstance(p.temperature, (int, float)) or p.temperature < 0:
            raise WorkerError("bad_request", f"temperature must be >= 0, got {p.temperature!r}")
        if not isinstance(p.top_p, (int, float)) or not 0 < p.top_p <= 1:
            raise WorkerError("bad_request", f"top_p must be in (0, 1], got {p.top_p!r}")
        if not isinstance(p.top_k, int) or p.top_k < 0:
            raise WorkerError("bad_request", f"top_k must be an integer >= 0, got {p.top_k!r}")
        if isinstance(p.stop, str):
            p.stop = [p.stop]
        if not isinstance(p.stop, list) or not all(isinstance(s, str) and s for s in p.stop):
            raise WorkerError("bad_request", "stop must be a string or a list of non-empty strings")
        if p.seed is not None and not isinstance(p.seed, int):
            raise WorkerError("bad_request", f"seed must be an integer, got {p.seed!r}")
        return p


@contextmanager
def adapter_active(model, name: str | None):
    """Run with adapter `name` active, or with every adapter disabled (the base) when name is None."""
    if name is None:
        if is_peft(model):
            with model.disable_adapter():
                yield model
        else:
            yield model
        return
    if not is_peft(model) or name not in model.peft_config:
        raise WorkerError("unknown_adapter", f"no adapter named {name!r} is loaded", {"adapter": name})
    model.set_adapter(name)
    yield model


def pick_next(logits: torch.Tensor, p: SamplingParams, gen: torch.Generator | None) -> int:
    logits = logits.float()
    if p.temperature == 0:
        return int(torch.argmax(logits))
    logits = logits / p.temperature
    if p.top_k and p.top_k < logits.numel():
        kth = torch.topk(logits, p.top_k).values[-1]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    if p.top_p < 1:
        sorted_p, idx = torch.sort(probs, descending=True)
        cum = torch.cumsum(sorted_p, dim=-1)
        drop = cum - sorted_p > p.top_p  # keep the smallest prefix whose mass reaches top_p
        sorted_p = sorted_p.masked_fill(drop, 0.0)
        probs = torch.zeros_like(probs).scatter_(0, idx, sorted_p)
    return int(torch.multinomial(probs, 1, generator=gen))


def eos_ids(model, tokenizer) -> set[int]:
    ids = set()
    for src in (getattr(model, "generation_config", None), getattr(model, "config", None)):
        e = getattr(src, "eos_token_id", None) if src is not None else None
        ids |= set(e) if isinstance(e, (list, tuple)) else ({e} if e is not None else set())
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


@torch.no_grad()
@torch.inference_mode()  # a served adapter's LoRA weights require grad: no autograd graph while serving
def generate(
    model,
    tokenizer,
    prompt_ids: list[int],
    params: SamplingParams,
    device: torch.device,
    on_text: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    prefix: PrefixCache | None = None,
    adapter: str | None = None,
) -> dict:
    """Generate after prompt_ids; on_text receives each new piece of text as soon as it is final.
    With `prefix`, the keys and values of the longest prefix already computed under `adapter` are
    reused, so only the prompt's new tokens are prefilled, and the finished sequence is kept."""
    if not prompt_ids:
        raise WorkerError("bad_request", "the prompt is empty")
    gen = None
    if params.temperature > 0:
        gen = torch.Generator(device="cpu").manual_seed(
            params.seed if params.seed is not None else int.from_bytes(os.urandom(8), "little") >> 1
        )
    stops = params.stop
    hold = max((len(s) for s in stops), default=1) - 1
    eos = eos_ids(model, tokenizer)
    past, reused = prefix.take(adapter, prompt_ids) if prefix is not None else (None, 0)
    if past is None:
        past = growing_cache()
    # Only the last position's logits are needed: a 1k-token prompt's full logits are 1k × vocab.
    out = model(input_ids=torch.tensor([prompt_ids[reused:]], device=device), past_key_values=past, use_cache=True, logits_to_keep=1)
    past, logits = out.past_key_values, out.logits[0, -1]
    generated: list[int] = []
    fed = 0  # generated tokens whose keys and values are in `past`
    sent, text, finish = "", "", "length"
    # Optionally fewer threads for the one-token steps than for the prefill (decode_threads).
    threads = torch.get_num_threads()
    narrow = device.type == "cpu" and 0 < DECODE_THREADS < threads
    if narrow:
        torch.set_num_threads(DECODE_THREADS)
    try:
        for _ in range(params.max_new_tokens):
            if cancel is not None and cancel.is_set():
                finish = "cancelled"
                break
            nxt = pick_next(logits.cpu(), params, gen)
            if nxt in eos:
                finish = "eos"
                break
            generated.append(nxt)
            text = tokenizer.decode(generated, skip_special_tokens=True)
            cut = _first_stop(text, stops, max(0, len(sent) - hold))
            if cut is not None:
                text, finish = text[:cut], "stop"
                break
            # Hold back a possible beginning of a stop string and an incomplete UTF-8 character.
            ready = text[: len(text) - hold] if hold else text
            ready = ready.rstrip("\ufffd")
            if len(ready) > len(sent) and ready.startswith(sent):
                if on_text:
                    on_text(ready[len(sent) :])
                sent = ready
            if len(generated) == params.max_new_tokens:
                break  # no next token will be picked: its logits would be computed for nothing
            out = model(input_ids=torch.tensor([[nxt]], device=device), past_key_values=past, use_cache=True)
            past, logits = out.past_key_values, out.logits[0, -1]
            fed += 1
    finally:
        if narrow:
            torch.set_num_threads(threads)
    if len(text) > len(sent) and text.startswith(sent) and on_text:
        on_text(text[len(sent) :])
    if prefix is not None:
        prefix.put(adapter, prompt_ids + generated[:fed], past)
    return {
        "text": text,
        "finish_reason": finish,
        "prompt_tokens": len(prompt_ids),
        "cached_tokens": reused,
        "completion_tokens": len(generated),
        "token_ids": generated,
    }


@torch.no_grad()
@torch.inference_mode()
def generate_greedy_batch(
    model,
    tokenizer,
    prompts: list[list[int]],
    max_new_tokens: int,
    device: torch.device,
    pad_id: int,
    cancel: threading.Event | None = None,
) -> list[str]:
    """Greedy answers to several prompts in one batch: left-padded, each row masked to its own
    tokens and positioned as if alone, stopped at its own end-of-sequence token. On a CPU a
    decode step reads every weight once whether it serves one row or eight, so an evaluation's
    sample answers cost little more than one answer's steps (see `generate` for one prompt)."""
    if not prompts or any(not p for p in prompts):
        raise WorkerError("bad_request", "every prompt of a batch needs at least one token")
    eos = eos_ids(model, tokenizer)
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad_id] * (width - len(p)) + p for p in prompts], device=device)
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    out = model(
        input_ids=ids, attention_mask=mask, position_ids=positions, past_key_values=growing_cache(), use_cache=True, logits_to_keep=1
    )
    past, logits = out.past_key_values, out.logits[:, -1]
    done = [False] * len(prompts)
    answers: list[list[int]] = [[] for _ in prompts]
    for step in range(max_new_tokens):
        if cancel is not None and cancel.is_set():
            break
        nxt = logits.float().argmax(-1).tolist()
        for i, t in enumerate(nxt):
            if not done[i]:
                if t in eos:
                    done[i] = True
                else:
                    answers[i].append(t)
        if all(done) or step + 1 == max_new_tokens:
            break
        mask = torch.cat([mask, torch.ones((len(prompts), 1), dtype=mask.dtype, device=device)], dim=-1)
        positions = positions[:, -1:] + 1
        out = model(
            input_ids=torch.tensor([[t] for t in nxt], device=device),
            attention_mask=mask,
            position_ids=positions,
            past_key_values=past,
            use_cache=True,
        )
        past, logits = out.past_key_values, out.logits[:, -1]
    return [tokenizer.decode(a, skip_special_tokens=True) for a in answers]


def _first_stop(text: str, stops: list[str], start: int) -> int | None:
    best = None
    for s in stops:
        i = text.find(s, start)
        if i >= 0 and (best is None or i < best):
            best = i
    return best
