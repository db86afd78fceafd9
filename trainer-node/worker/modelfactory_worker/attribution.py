"""Context attribution by ablation: how much each retrieved passage in a chat prompt changed the
model's likelihood of the answer it gave.

The prompt is rebuilt with passages removed, exactly as chat formats it (the sources sit in the
system message: `before` + the passages + `after`), and the answer's log-likelihood is measured
under each variant in batched forward passes. With few passages every passage is left out once
(leave-one-out, n + 1 passes); with many, random ablation masks are drawn and a linear surrogate
is fitted to them (ContextCite, Cohen-Wang et al. 2024), so the cost grows with the number of
masks, not of passages. Deterministic: the masks come from a seeded generator and the forward
passes run in a fixed batch order.

What is measured is the log-likelihood of the answer's new words: the tokens that carry a word
the conversation does not already hold (`scope` "new_words", the default). Words the answer
repeats from the question were supplied by the question, not by a passage; scoring them credited
a passage for the answer's phrasing. In the attribution bench's fact 8 (the worker's test repeats
it), the answer "The Santorel choir's director plays the oboe." took its word order from a
distractor that says nothing about the instrument: over every token, removing the distractor
cost 9.6 nats and removing the passage naming the oboe 8.7; over the new words ("'s", "plays",
"oboe"), 3.7 against 7.8. `scope` "all" scores every token of the answer.
"""

from __future__ import annotations

import copy
import math
import re
import time

import torch

from .errors import WorkerError
from .prefix_cache import common_prefix
from .protocol import field
from .records import Message

METHODS = ("auto", "leave_one_out", "contextcite")
SCOPES = ("new_words", "all")
_WORD = re.compile(r"\w+")
DEFAULT_ABLATIONS = 32
MAX_PASSAGES = 64
MAX_ABLATIONS = 256
# Ridge on the surrogate's passage weights (not on the intercept): keeps the fit defined when a
# passage is kept in every mask or in none, and is far below the nats the weights measure.
RIDGE = 1e-3


def attribute_command(session, cmd: dict, ctx) -> dict:
    """The `attribute` command: per passage, the answer's log-likelihood drop when it is removed."""
    lm = session.need_model(cmd)
    adapter = session._adapter_arg(cmd, None)
    sources = field(cmd, "sources", dict)
    before, after = sources.get("before", ""), sources.get("after", "")
    passages = sources.get("passages")
    if not isinstance(before, str) or not isinstance(after, str):
        raise WorkerError("bad_request", "'attribute' fields sources.before and sources.after must be strings")
    if (
        not isinstance(passages, list)
        or not passages
        or len(passages) > MAX_PASSAGES
        or not all(isinstance(p, str) and p for p in passages)
    ):
        raise WorkerError(
            "bad_request",
            f"'attribute' field sources.passages must hold 1 to {MAX_PASSAGES} "
            "non-empty strings (each passage exactly as the prompt shows it)",
        )
    msgs = field(cmd, "messages", list)
    if not msgs or not all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str) for m in msgs
    ):
        raise WorkerError(
            "bad_request",
            "'attribute' field 'messages' must be a non-empty list of "
            "{role: user|assistant, content: string}: the conversation after the "
            "system message that holds the sources",
        )
    answer = field(cmd, "answer", str)
    method = field(cmd, "method", str, "auto")
    if method not in METHODS:
        raise WorkerError("bad_request", f"'attribute' field 'method' must be one of {', '.join(METHODS)}, got {method!r}")
    ablations = field(cmd, "ablations", int, DEFAULT_ABLATIONS)
    if not 2 <= ablations <= MAX_ABLATIONS:
        raise WorkerError("bad_request", f"'attribute' field 'ablations' must be in [2, {MAX_ABLATIONS}], got {ablations}")
    seed = field(cmd, "seed", int, 0)
    scope = field(cmd, "scope", str, "new_words")
    if scope not in SCOPES:
        raise WorkerError("bad_request", f"'attribute' field 'scope' must be one of {', '.join(SCOPES)}, got {scope!r}")
    # On a CPU the cost is the tokens computed, and a batch pads its rows to the longest: one row at a
    # time, each reusing the longest prefix it shares with the full prompt. A GPU runs a batch in
    # about the time of one row.
    batch_size = field(cmd, "batch_size", int, 16 if lm.device.type == "cuda" else 1)
    if not 1 <= batch_size <= 256:
        raise WorkerError("bad_request", f"'attribute' field 'batch_size' must be in [1, 256], got {batch_size}")

    fmt = session.formatter()  # the chat template exactly as `generate` applies it
    conversation = [Message(m["role"], m["content"]) for m in msgs]
    answer_ids = fmt.encode_text(answer)
    if not answer_ids:
        raise WorkerError("bad_request", "'attribute' field 'answer' is empty: there is nothing to attribute")
    scored = None
    if scope == "new_words":
        scored = new_word_tokens(lm.tokenizer, answer, [m.content for m in conversation], len(answer_ids))
        if scored is None or not any(scored):
            # The answer holds no word the conversation lacks (or the tokenizer gives no offsets):
            # every token is scored, and the result says so.
            scope, scored = "all", None

    def prompt(kept: list[bool]) -> list[int]:
        text = before + "".join(p for p, k in zip(passages, kept) if k) + after
        return fmt.encode_prompt([Message("system", text), *conversation])

    n = len(passages)
    if method == "auto":
        method = "leave_one_out" if n + 1 <= ablations else "contextcite"
    masks = ablation_masks(n, method, ablations, seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    with session.serving(lm, adapter) as model:
        scores = answer_log_likelihoods(
            model,
            [prompt(m) for m in masks],
            answer_ids,
            pad_id=lm.tokenizer.pad_token_id,
            device=lm.device,
            batch_size=batch_size,
            cancel=ctx.cancel,
            scored=scored,
        )
    full = scores[0]
    if method == "leave_one_out":
        without = scores[1:]
        drops = [full - w for w in without]
        weights = drops  # a linear model fitted to these n + 1 points is exact, and its weights are the drops
    else:
        weights = fit_surrogate(masks, scores)
        without = [None] * n
        drops = weights  # the surrogate's prediction of the drop when a passage is removed
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "adapter": adapter,
        "method": method,
        "answer_tokens": len(answer_ids),
        "scope": scope,
        "scored_tokens": len(answer_ids) if scored is None else sum(scored),
        "log_prob": full,
        "forward_passes": len(masks),
        "seconds": seconds,
        # CPU time of every thread of the worker: on a shared machine, what the passes cost apart
        # from waiting for a core.
        "cpu_seconds": cpu_seconds,
        "passages": [
            {"log_prob_without": w, "log_prob_drop": d, "ratio": _ratio(d), "weight": s} for w, d, s in zip(without, drops, weights)
        ],
    }


def new_word_tokens(tokenizer, answer: str, conversation: list[str], count: int) -> list[bool] | None:
    """Per answer token, whether it carries a word (a run of letters or digits, compared casefolded)
    that no message of the conversation holds; None when the tokenizer gives no character offsets
    or its tokens are not the `count` the answer encodes to."""
    try:
        offsets = tokenizer(answer, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    except (NotImplementedError, ValueError, KeyError):
        return None
    if len(offsets) != count:
        return None
    held = {w.casefold() for text in conversation for w in _WORD.findall(text)}
    new = [(m.start(), m.end()) for m in _WORD.finditer(answer) if m.group().casefold() not in held]
    return [any(s < end and e > start for s, e in new) for start, end in offsets]


def ablation_masks(n: int, method: str, ablations: int, seed: int) -> list[list[bool]]:
    """Which passages each forward pass keeps; the first mask keeps them all."""
    full = [True] * n
    if method == "leave_one_out":
        return [full] + [[j != i for j in range(n)] for i in range(n)]
    gen = torch.Generator().manual_seed(seed)
    drawn = (torch.rand(ablations - 1, n, generator=gen) < 0.5).tolist()
    return [full] + [[bool(x) for x in row] for row in drawn]


def fit_surrogate(masks: list[list[bool]], scores: list[float]) -> list[float]:
    """Least squares of the answer's log-likelihood on the masks (ridge on the weights): one weight
    per passage, the nats its presence adds."""
    x = torch.tensor(masks, dtype=torch.float64)
    y = torch.tensor(scores, dtype=torch.float64)
    design = torch.cat([torch.ones(len(masks), 1, dtype=torch.float64), x], dim=1)
    reg = torch.eye(design.shape[1], dtype=torch.float64) * RIDGE
    reg[0, 0] = 0.0
    coef = torch.linalg.solve(design.T @ design + reg, design.T @ y)
    return [float(c) for c in coef[1:]]


@torch.inference_mode()
def answer_log_likelihoods(
    model,
    prompts: list[list[int]],
    answer_ids: list[int],
    *,
    pad_id: int | None,
    device: torch.device,
    batch_size: int = 1,
    cancel=None,
    scored: list[bool] | None = None,
) -> list[float]:
    """log p(answer | prompt) in nats for each prompt, summed over the answer's tokens where
    `scored` is true (over all of them without it); prompts[0] is the full prompt.

    The full prompt runs first and its key/value cache is kept: every other prompt shares a prefix
    with it (everything before its first removed passage), so only the rest is computed. Rows of a
    batch share the shortest of their prefixes and are left-padded after it, so the answer ends
    every row and only the logits of its positions are computed (the vocabulary projection is a
    large share of a small model's cost). Position ids count real tokens only.
    """
    a = len(answer_ids)
    answer = torch.tensor(answer_ids, device=device)
    keep = torch.tensor([True] * a if scored is None else scored, device=device)

    def score(logits: torch.Tensor) -> list[float]:
        # logits[:, j] predicts the answer's j-th token (the first comes from the prompt's last position).
        logp = torch.log_softmax(logits[:, :a].float(), dim=-1)
        per_token = logp.gather(-1, answer.expand(len(logits), a).unsqueeze(-1)).squeeze(-1)
        return [float(x) for x in torch.where(keep, per_token, 0.0).sum(-1).cpu()]

    full = prompts[0]
    first = model(input_ids=torch.tensor([full + answer_ids], device=device), use_cache=True, logits_to_keep=a + 1)
    cache = first.past_key_values
    scores: list[float | None] = [score(first.logits)[0]] + [None] * (len(prompts) - 1)
    # Each prompt's reusable prefix, at most all but its last token (whose logits score the first answer token).
    shared = {j: min(common_prefix(prompts[j], full), len(prompts[j]) - 1, len(full) - 1) for j in range(1, len(prompts))}
    order = sorted(shared, key=lambda j: (-shared[j], j))
    pad = pad_id if pad_id is not None else 0
    for start in range(0, len(order), batch_size):
        if cancel is not None and cancel.is_set():
            raise WorkerError("cancelled", "attribution cancelled")
        rows = order[start : start + batch_size]
        k = min(shared[j] for j in rows)
        tails = [prompts[j][k:] + answer_ids for j in rows]
        width = max(len(t) for t in tails)
        ids = torch.full((len(rows), width), pad, dtype=torch.long)
        tail_mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, t in enumerate(tails):
            ids[i, width - len(t) :] = torch.tensor(t)
            tail_mask[i, width - len(t) :] = 1
        positions = k + (tail_mask.cumsum(-1) - 1).clamp(min=0)
        mask = torch.cat([torch.ones((len(rows), k), dtype=torch.long), tail_mask], dim=1)
        past = None
        if k > 0:
            past = copy.deepcopy(cache)
            past.crop(k)
            if len(rows) > 1:
                past.batch_repeat_interleave(len(rows))
        logits = model(
            input_ids=ids.to(device),
            attention_mask=mask.to(device),
            position_ids=positions.to(device),
            past_key_values=past,
            use_cache=past is not None,
            logits_to_keep=a + 1,
        ).logits
        for j, value in zip(rows, score(logits)):
            scores[j] = value
    return scores  # type: ignore[return-value]


def _ratio(drop: float) -> float | None:
    """How many times likelier the answer is with the passage than without (exp of the drop)."""
    if drop is None or not math.isfinite(drop) or drop > 700:
        return None
    return math.exp(drop)
