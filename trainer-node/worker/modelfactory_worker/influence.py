"""Training-data attribution for LoRA adapters: which contribution's training examples pushed
the adapter the way an answer needs.

First-order influence (TracIn, Pruthi et al. 2020) scores a training example by the inner product
of its loss gradient with the answer's; LESS (Xia et al. 2024) showed that for LoRA fine-tuning
the adapter's gradients, randomly projected to a few thousand dimensions and compared by cosine,
keep that ranking. Here:

- the features are gradients of the adapter's parameters only, taken at the trained adapter;
- each sampled training record (a seeded sample of each contribution's records) gets its own
  feature: the gradient of its token-mean response loss, one backward pass per record;
- the projection is a CountSketch (each coordinate goes to one of `dim` buckets with a random
  sign, from a seeded generator): inner products are preserved in expectation, it needs no dense
  matrix (a few million LoRA coordinates × thousands of dimensions would not fit), and it is the
  same on every machine for the same seed;
- an answer's score against a record is the cosine of their sketched gradients, and a
  contribution's score is its best record's: a contribution that taught the answer's fact in one
  of its records scores as high as that record, however many other things it teaches. (Format /1
  kept one feature per contribution, the gradient of the mean loss over its sampled records:
  for a contribution of n unrelated records that mean's cosine with any one record's gradient is
  about 1/sqrt(n), so a broad contribution's score sank with its size. /1 files still load.)

The index (one unit row per sampled record, rows grouped by contribution) is written as
safetensors with its own description, so a query against an index built for other adapter
weights fails instead of ranking noise.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time

import torch

from .chat import IGNORE, ChatFormatter, Example
from .errors import WorkerError
from .generate import adapter_active
from .lora import adapter_parameters
from .protocol import field
from .records import Message, read_records

FORMAT = "modelfactory.influence/2"
# One row per contribution (the gradient of its sampled records' mean loss): still read.
FORMAT_V1 = "modelfactory.influence/1"
DEFAULT_DIM = 8192
DEFAULT_PER_CONTRIBUTION = 16
MAX_CONTRIBUTIONS = 4096
# Rows (sampled records) in one index: 16384 × 8192 float16 values is 256 MiB.
MAX_ROWS = 16384
MICRO_BATCH = 4


class CountSketch:
    """A seeded sparse random projection of a flat vector of `total` coordinates to `dim`."""

    def __init__(self, total: int, dim: int, seed: int):
        g = torch.Generator().manual_seed(seed)
        self.dim = dim
        self.bucket = torch.randint(0, dim, (total,), generator=g)
        self.sign = torch.randint(0, 2, (total,), generator=g).float().mul_(2).sub_(1)

    def project(self, flat: torch.Tensor) -> torch.Tensor:
        out = torch.zeros(self.dim, dtype=torch.float32)
        return out.index_add_(0, self.bucket, flat.float() * self.sign)


def parameter_spec(params: list[tuple[str, torch.nn.Parameter]], adapter: str) -> str:
    """A digest of which parameters the features are gradients of, and of their values: an index is
    only meaningful for the exact adapter weights it was computed at."""
    h = hashlib.sha256()
    for name, p in params:
        h.update(name.replace(f".{adapter}.", ".").encode())
        h.update(str(tuple(p.shape)).encode())
        h.update(p.detach().float().cpu().numpy().tobytes())
    return h.hexdigest()


def _example_losses(model, chunk: list[Example], pad_id: int, device) -> torch.Tensor:
    """Each example's token-mean response loss, in one right-padded batched forward pass."""
    width = max(len(e.input_ids) for e in chunk)
    ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
    tgt = torch.full((len(chunk), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(chunk), width), dtype=torch.long)
    for i, e in enumerate(chunk):
        ids[i, : len(e.input_ids)] = torch.tensor(e.input_ids)
        tgt[i, : len(e.targets)] = torch.tensor(e.targets)
        mask[i, : len(e.input_ids)] = 1
    logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float()
    tgt = tgt.to(device)
    per_token = torch.nn.functional.cross_entropy(logits.transpose(1, 2), tgt, ignore_index=IGNORE, reduction="none")
    counts = (tgt != IGNORE).sum(dim=1).clamp(min=1)
    return per_token.sum(dim=1) / counts


def _loss_gradient(model, params, examples: list[Example], pad_id: int, device) -> torch.Tensor:
    """Flat gradient of the mean over `examples` of each one's token-mean response loss."""
    for _, p in params:
        p.grad = None
    n = len(examples)
    for start in range(0, n, MICRO_BATCH):
        (_example_losses(model, examples[start : start + MICRO_BATCH], pad_id, device).sum() / n).backward()
    flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1).float().cpu() for _, p in params])
    for _, p in params:
        p.grad = None
    return flat


class _Gradients:
    """The adapter's parameters made differentiable for the duration of a `with` block."""

    def __init__(self, model, adapter: str):
        self.params = adapter_parameters(model, adapter)
        if not self.params:
            raise WorkerError("unknown_adapter", f"adapter {adapter!r} has no LoRA parameters to take gradients of", {"adapter": adapter})
        self.total = sum(p.numel() for _, p in self.params)

    def __enter__(self):
        self._was = [p.requires_grad for _, p in self.params]
        for _, p in self.params:
            p.requires_grad_(True)
        self._grad = torch.is_grad_enabled()
        torch.set_grad_enabled(True)
        return self

    def __exit__(self, *exc):
        for (_, p), was in zip(self.params, self._was):
            p.requires_grad_(was)
            p.grad = None
        torch.set_grad_enabled(self._grad)
        return False


def _examples(fmt: ChatFormatter, path: str, max_len: int, take: int, seed: int) -> tuple[list[Example], int]:
    """A seeded sample of up to `take` of the file's usable records, and how many there were.
    Records that train the same response (paraphrased questions with one answer) have nearly the
    same gradient, so the sample takes one record per distinct response first, then the rest."""
    records = read_records(path)
    examples = [ex for ex in (fmt.example(r, max_len) for r in records) if ex is not None]
    total = len(examples)
    if total > take:
        rng = random.Random(seed)
        order = rng.sample(examples, total)
        seen: set[tuple[int, ...]] = set()
        first, again = [], []
        for ex in order:
            response = tuple(t for t in ex.targets if t != IGNORE)
            (again if response in seen else first).append(ex)
            seen.add(response)
        examples = (first + again)[:take]
    return examples, total


def build_index(session, cmd: dict, ctx) -> dict:
    """The `influence_index` command: one sketched gradient feature per sampled training record,
    grouped by contribution."""
    lm = session.need_model(cmd)
    adapter = session._adapter_arg(cmd, session.last_adapter)
    if adapter is None:
        raise WorkerError("bad_request", "'influence_index' needs 'adapter': training influence is measured on an adapter's parameters")
    contributions = field(cmd, "contributions", list)
    if (
        not contributions
        or len(contributions) > MAX_CONTRIBUTIONS
        or not all(
            isinstance(c, dict) and isinstance(c.get("id"), str) and c["id"] and isinstance(c.get("records"), str) for c in contributions
        )
    ):
        raise WorkerError(
            "bad_request",
            f"'influence_index' field 'contributions' must list 1 to {MAX_CONTRIBUTIONS} "
            "{id: string, records: path of a JSONL file of canonical records}",
        )
    ids = [c["id"] for c in contributions]
    if len(set(ids)) != len(ids):
        raise WorkerError("bad_request", "'influence_index' lists a contribution id twice")
    for c in contributions:
        if not os.path.isfile(c["records"]):
            raise WorkerError("file_not_found", f"records of contribution {c['id']} not found: {c['records']}", {"path": c["records"]})
    out = field(cmd, "out", str)
    dim = field(cmd, "dim", int, DEFAULT_DIM)
    per = field(cmd, "per_contribution", int, DEFAULT_PER_CONTRIBUTION)
    seed = field(cmd, "seed", int, 0)
    max_len = field(cmd, "max_length", int, 256)
    if not 64 <= dim <= 65536:
        raise WorkerError("bad_request", f"'influence_index' field 'dim' must be in [64, 65536], got {dim}")
    if not 1 <= per <= 1024:
        raise WorkerError("bad_request", f"'influence_index' field 'per_contribution' must be in [1, 1024], got {per}")
    if len(contributions) * per > MAX_ROWS:
        raise WorkerError(
            "bad_request",
            f"'influence_index' would sample up to {len(contributions) * per} records ({len(contributions)} contributions × "
            f"per_contribution {per}), over {MAX_ROWS}: lower 'per_contribution'",
        )
    if not 8 <= max_len <= 32768:
        raise WorkerError("bad_request", f"'influence_index' field 'max_length' must be in [8, 32768], got {max_len}")
    fmt = session.formatter()
    pad = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else 0
    t0 = time.perf_counter()
    rows, row_counts, used, skipped = [], [], {}, []
    with adapter_active(lm.model, adapter), _Gradients(lm.model, adapter) as grads:
        was_training = lm.model.training
        lm.model.eval()  # no dropout: the same records give the same feature
        spec = parameter_spec(grads.params, adapter)
        sketch = CountSketch(grads.total, dim, seed)
        try:
            for i, c in enumerate(contributions):
                if ctx.cancel.is_set():
                    raise WorkerError("cancelled", "influence index cancelled")
                examples, total = _examples(fmt, c["records"], max_len, per, seed + i)
                if not examples:
                    skipped.append(c["id"])
                    row_counts.append(0)
                    used[c["id"]] = 0
                    continue
                # One backward pass per record: splitting one batched pass by example (LoRA's
                # matrices are linear layers) measured only ~6% cheaper on CPU.
                for ex in examples:
                    if ctx.cancel.is_set():
                        raise WorkerError("cancelled", "influence index cancelled")
                    v = sketch.project(_loss_gradient(lm.model, grads.params, [ex], pad, lm.device))
                    norm = v.norm()
                    rows.append(v / norm if norm > 0 else v)
                row_counts.append(len(examples))
                used[c["id"]] = len(examples)
        finally:
            lm.model.train(was_training)
    features = (torch.stack(rows) if rows else torch.zeros((0, dim))).to(torch.float16)
    from safetensors.torch import save_file

    meta = {
        "format": FORMAT,
        "adapter_spec": spec,
        "dim": str(dim),
        "seed": str(seed),
        "max_length": str(max_len),
        "contributions": json.dumps(ids),
        "row_counts": json.dumps(row_counts),
        "examples": json.dumps(used),
    }
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    save_file({"features": features}, tmp, metadata=meta)
    os.replace(tmp, out)
    return {
        "path": os.path.abspath(out),
        "contributions": len(ids),
        "dim": dim,
        "examples": used,
        "skipped": skipped,
        "adapter_spec": spec,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def load_index(path: str) -> tuple[torch.Tensor, dict]:
    from safetensors import safe_open

    if not os.path.isfile(path):
        raise WorkerError("file_not_found", f"no influence index at {path}", {"path": path})
    try:
        with safe_open(path, framework="pt") as f:
            meta = f.metadata() or {}
            features = f.get_tensor("features").float()
    except WorkerError:
        raise
    except Exception as e:  # noqa: BLE001 - a file that is not our index
        raise WorkerError("bad_request", f"{path} is not an influence index: {e}") from e
    fmt = meta.get("format")
    if fmt not in (FORMAT, FORMAT_V1):
        raise WorkerError("bad_request", f"{path} is not a {FORMAT} index (format {fmt!r})")
    ids = json.loads(meta.get("contributions", "[]"))
    counts = json.loads(meta["row_counts"]) if fmt == FORMAT else [1] * len(ids)
    if len(counts) != len(ids) or sum(counts) != features.shape[0]:
        raise WorkerError(
            "bad_request",
            f"{path} is a damaged influence index: {features.shape[0]} feature rows for row counts {sum(counts)} of {len(ids)} contributions",
        )
    meta["row_counts"] = counts
    return features, meta


def contribution_scores(row_scores: torch.Tensor, counts: list[int]) -> list[float]:
    """Each contribution's best row score (rows grouped by contribution, `counts[i]` rows for the
    i-th); 0.0 for a contribution with no usable record.
    >>> contribution_scores(torch.tensor([0.25, 0.75, 0.5]), [2, 0, 1])
    [0.75, 0.0, 0.5]
    """
    out, start = [], 0
    for n in counts:
        out.append(float(row_scores[start : start + n].max()) if n > 0 else 0.0)
        start += n
    return out


def query(session, cmd: dict, ctx) -> dict:
    """The `influence` command: contributions ranked by how much their best training record's
    gradient aligns with the gradient of the answer's loss given the conversation."""
    lm = session.need_model(cmd)
    adapter = session._adapter_arg(cmd, session.last_adapter)
    if adapter is None:
        raise WorkerError("bad_request", "'influence' needs 'adapter'")
    features, meta = load_index(field(cmd, "index", str))
    msgs = field(cmd, "messages", list)
    if not msgs or not all(
        isinstance(m, dict) and m.get("role") in ("system", "user", "assistant") and isinstance(m.get("content"), str) for m in msgs
    ):
        raise WorkerError(
            "bad_request", "'influence' field 'messages' must be a non-empty list of {role: system|user|assistant, content: string}"
        )
    answer = field(cmd, "answer", str)
    if not answer.strip():
        raise WorkerError("bad_request", "'influence' field 'answer' is empty: there is nothing to attribute")
    top = field(cmd, "top", int, 5)
    fmt = session.formatter()
    prompt = fmt.encode_prompt([Message(m["role"], m["content"]) for m in msgs])
    answer_ids = fmt.encode_text(answer)
    max_len = int(meta["max_length"])
    ex = Example(prompt + answer_ids, [IGNORE] * (len(prompt) - 1) + answer_ids + [IGNORE])
    if len(ex.input_ids) > 4 * max_len:  # bound the backward pass; keep the answer, cut the oldest context
        cut = len(ex.input_ids) - 4 * max_len
        ex = Example(ex.input_ids[cut:], ex.targets[cut:])
    ids = json.loads(meta["contributions"])
    pad = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else 0
    t0 = time.perf_counter()
    with adapter_active(lm.model, adapter), _Gradients(lm.model, adapter) as grads:
        spec = parameter_spec(grads.params, adapter)
        if spec != meta.get("adapter_spec"):
            raise WorkerError(
                "bad_request",
                f"the influence index was computed for other adapter weights than "
                f"{adapter!r} holds now (index {meta.get('adapter_spec', '?')[:12]}…, "
                f"adapter {spec[:12]}…): rebuild it with 'influence_index'",
            )
        was_training = lm.model.training
        lm.model.eval()
        try:
            g = CountSketch(grads.total, int(meta["dim"]), int(meta["seed"])).project(
                _loss_gradient(lm.model, grads.params, [ex], pad, lm.device)
            )
        finally:
            lm.model.train(was_training)
    norm = g.norm()
    scores = contribution_scores(features @ (g / norm), meta["row_counts"]) if norm > 0 else [0.0] * len(ids)
    order = sorted(range(len(ids)), key=lambda i: (-scores[i], ids[i]))
    return {
        "adapter": adapter,
        "answer_tokens": len(answer_ids),
        "ranking": [{"contribution": ids[i], "score": round(scores[i], 6)} for i in order[: max(1, top)]],
        "seconds": round(time.perf_counter() - t0, 3),
    }
