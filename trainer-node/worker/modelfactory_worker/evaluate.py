"""Evaluation: perplexity on the held-out split (base and tuned), and BLEU (sacreBLEU, corpus,
13a) and ROUGE-1/2/L (rouge-score, F1) of generated answers against the references."""

from __future__ import annotations

import math
import threading

import torch

from .chat import ChatFormatter, Example
from .data import EpochPlan, collate
from .generate import adapter_active, generate_greedy_batch
from .loss import autocast_for, token_losses
from .records import DatasetRecord, prompt_and_reference


@torch.no_grad()
def example_losses(
    model,
    examples: list[Example],
    *,
    pad_id: int,
    device: torch.device,
    dtype: torch.dtype,
    batch_size: int = 4,
    seq_len: int = 512,
    cpu_bf16: bool = False,
) -> list[tuple[float, int]]:
    """(summed next-token loss, trained tokens) of every example, in the order given.

    Examples are packed (block-diagonal mask, so each sees only itself) and every trained token's
    loss is added to the example whose segment holds it.
    """
    model.eval()
    plan = EpochPlan(examples, seed=0, epoch=0, micro_batch=batch_size, seq_len=seq_len, packing=True, shuffle=False)
    sums = torch.zeros(len(examples), dtype=torch.float64)
    counts = torch.zeros(len(examples), dtype=torch.long)
    first = 0  # index of the first example of the current micro-batch (packing keeps the order)
    with autocast_for(device, dtype, cpu_bf16):
        for rows in plan.micro_batches:
            batch = collate(rows, pad_id, True, dtype)
            owner = torch.full(batch.targets.shape, -1, dtype=torch.long)
            k = first
            for b, r in enumerate(rows):
                start = 0
                for n in r.lengths:
                    owner[b, start : start + n] = k
                    start, k = start + n, k + 1
            losses, selected = token_losses(model, batch.to(device))
            index = owner[selected.cpu()]
            sums.index_add_(0, index, losses.detach().double().cpu())
            counts.index_add_(0, index, torch.ones_like(index))
            first = k
    return [(float(s), int(c)) for s, c in zip(sums, counts)]


def perplexity_of(losses: list[tuple[float, int]]) -> dict:
    """exp(mean next-token loss over trained tokens), the tokens weighted equally."""
    total, n = sum(s for s, _ in losses), sum(c for _, c in losses)
    mean = total / max(n, 1)
    return {"loss": mean, "perplexity": math.exp(min(mean, 700.0)), "tokens": n}


def perplexity(model, examples: list[Example], **kw) -> dict:
    """exp(mean next-token loss over trained tokens), the tokens weighted equally; `kw` as example_losses'."""
    return perplexity_of(example_losses(model, examples, **kw))


def bleu(hypotheses: list[str], references: list[str]) -> float:
    """Corpus BLEU, sacreBLEU defaults (13a tokenization, exp smoothing), 0-100."""
    import sacrebleu

    return float(sacrebleu.corpus_bleu(hypotheses, [references], tokenize="13a").score)


def rouge(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """Mean ROUGE-1/2/L F1 (rouge-score, Porter stemmer), 0-1."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    sums = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    for h, r in zip(hypotheses, references):
        scores = scorer.score(r, h)  # (target, prediction)
        for k in sums:
            sums[k] += scores[k].fmeasure
    n = max(1, len(hypotheses))
    return {k: v / n for k, v in sums.items()}


# Sample answers generated together (generate_greedy_batch): one batch holds the default 8 samples.
GENERATION_BATCH = 8


def generation_metrics(
    model,
    formatter: ChatFormatter,
    records: list[DatasetRecord],
    adapter: str | None,
    *,
    device: torch.device,
    max_samples: int,
    max_new_tokens: int,
    cancel: threading.Event | None = None,
) -> dict:
    """Greedy answers to the held-out prompts, scored against the held-out answers."""
    pairs = [p for p in (prompt_and_reference(r) for r in records) if p is not None][:max_samples]
    if not pairs:
        return {"samples": 0}
    hyps, refs, prompts = [], [], []
    pad = formatter.tokenizer.pad_token_id if formatter.tokenizer.pad_token_id is not None else 0  # masked: any id
    with adapter_active(model, adapter):
        for start in range(0, len(pairs), GENERATION_BATCH):
            if cancel is not None and cancel.is_set():
                break
            batch = pairs[start : start + GENERATION_BATCH]
            texts = generate_greedy_batch(
                model,
                formatter.tokenizer,
                [formatter.encode_prompt(c) for c, _ in batch],
                max_new_tokens,
                device,
                pad_id=pad,
                cancel=cancel,
            )
            hyps.extend(t.strip() for t in texts)
            refs.extend(r for _, r in batch)
            prompts.extend(next((m.content for m in reversed(c) if m.role == "user"), "") for c, _ in batch)
    return {
        "samples": len(hyps),
        "bleu": bleu(hyps, refs),
        **rouge(hyps, refs),
        "examples": [{"prompt": p, "prediction": h, "reference": r} for p, h, r in list(zip(prompts, hyps, refs))[:3]],
    }
