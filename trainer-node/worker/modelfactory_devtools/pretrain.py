"""Pre-trains the demo base model: a small LLaMA with a byte-level BPE tokenizer, on CPU.
About 410 lines (tokenizer, model config, pre-training loop, stamp), a developer tool only.

No weights can be downloaded, so the demo makes its own base model from a general-English
corpus (demo/corpus/*.txt) in a few minutes, once: the output folder carries a stamp (hash of
corpus, config and this code) and a second run with the same inputs returns before torch loads.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

STAMP_FILE = "pretrain.json"
REPO = Path(__file__).resolve().parents[3]
DEFAULT_CORPUS = REPO / "demo" / "corpus"


@dataclass(frozen=True)
class PretrainConfig:
    """Model shape and optimisation; every field is part of the cache stamp."""

    hidden: int = 256
    layers: int = 4
    heads: int = 4
    intermediate: int = 704
    vocab: int = 4096
    context: int = 256
    seq_len: int = 128  # training window; the model accepts `context` tokens
    batch_size: int = 16
    steps: int = 600
    learning_rate: float = 3e-3
    warmup_steps: int = 20
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.05
    eval_fraction: float = 0.02
    seed: int = 0


# A config small enough for a unit test: a few seconds on one core.
TEST_CONFIG = PretrainConfig(
    hidden=64,
    layers=2,
    heads=2,
    intermediate=176,
    vocab=512,
    context=128,
    seq_len=64,
    batch_size=8,
    steps=50,
    learning_rate=5e-3,
    warmup_steps=5,
    eval_fraction=0.05,
)


def corpus_files(paths: list[str | Path]) -> list[Path]:
    """The .txt files named or inside the folders named, sorted; fails on none."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.glob("*.txt")))
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(f"corpus path not found: {p}")
    if not files:
        raise FileNotFoundError(f"no .txt corpus files in {', '.join(map(str, paths))}")
    return files


def stamp_of(files: list[Path], config: PretrainConfig) -> str:
    """sha256 over the corpus bytes, the config and this file's code."""
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
        h.update(b"\0")
    h.update(json.dumps(asdict(config), sort_keys=True).encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def cached(out: Path, stamp: str) -> dict | None:
    """The earlier run's summary when `out` was made from the same inputs."""
    try:
        summary = json.loads((out / STAMP_FILE).read_text())
    except (OSError, ValueError):
        return None
    return summary if summary.get("stamp") == stamp and (out / "config.json").exists() else None


def documents(files: list[Path]) -> list[str]:
    """Blank-line separated documents of every file."""
    docs: list[str] = []
    for f in files:
        docs.extend(d.strip() for d in f.read_text(encoding="utf-8").split("\n\n") if d.strip())
    return docs


class Progress:
    """A line per `every` steps on stderr; JSON-lines events on stdout when asked."""

    def __init__(self, total: int, as_json: bool, every: int):
        self.total, self.as_json, self.every = total, as_json, max(1, every)
        self.t0 = time.monotonic()

    def emit(self, event: dict) -> None:
        if self.as_json:
            print(json.dumps(event), flush=True)

    def step(self, step: int, loss: float, lr: float, tokens: int) -> None:
        elapsed = time.monotonic() - self.t0
        tps = tokens / elapsed if elapsed > 0 else 0.0
        eta = elapsed / step * (self.total - step)
        self.emit(
            {
                "event": "progress",
                "phase": "pretrain",
                "step": step,
                "total_steps": self.total,
                "loss": round(loss, 4),
                "lr": lr,
                "tokens": tokens,
                "tokens_per_s": round(tps, 1),
                "elapsed_s": round(elapsed, 1),
                "eta_s": round(eta, 1),
            }
        )
        if step % self.every == 0 or step == self.total or step == 1:
            width = 24
            done = int(width * step / self.total)
            bar = "#" * done + "-" * (width - done)
            print(
                f"pretrain [{bar}] step {step}/{self.total} loss {loss:.3f} {tps:,.0f} tok/s elapsed {elapsed:.0f}s eta {eta:.0f}s",
                file=sys.stderr,
                flush=True,
            )

    def log(self, message: str) -> None:
        print(f"pretrain: {message}", file=sys.stderr, flush=True)
        self.emit({"event": "log", "message": message})


def train_tokenizer(docs: list[str], vocab: int):
    """Byte-level BPE (any text encodes) with the worker's special tokens and ChatML template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    from modelfactory_worker.chat import DEFAULT_CHAT_TEMPLATE
    from .tiny import SPECIAL_TOKENS

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab,
        special_tokens=SPECIAL_TOKENS,
        min_frequency=2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(docs, trainer)
    bos = tok.token_to_id("<s>")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", bos)])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="<|im_end|>",
        pad_token="<pad>",
        additional_special_tokens=["<|im_start|>", "<|endoftext|>"],
    )
    fast.chat_template = DEFAULT_CHAT_TEMPLATE
    return fast


def token_stream(tokenizer, docs: list[str]):
    """One long tensor: each document starts with <s>; plain text ends with <|endoftext|>
    (chat documents already end with <|im_end|>, the eos the chat template uses)."""
    import torch

    end = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    ids: list[int] = []
    for batch_start in range(0, len(docs), 1000):
        chunk = docs[batch_start : batch_start + 1000]
        for doc, enc in zip(chunk, tokenizer(chunk)["input_ids"]):
            ids.extend(enc)
            if not doc.endswith("<|im_end|>"):
                ids.append(end)
    return torch.tensor(ids, dtype=torch.long)


def make_model(config: PretrainConfig, tokenizer):
    import torch
    import transformers as tf

    torch.manual_seed(config.seed)
    cfg = tf.LlamaConfig(
        hidden_size=config.hidden,
        num_hidden_layers=config.layers,
        num_attention_heads=config.heads,
        num_key_value_heads=config.heads,
        intermediate_size=config.intermediate,
        vocab_size=len(tokenizer),
        max_position_embeddings=config.context,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
        initializer_range=0.02,
        rope_theta=10000.0,
    )
    return tf.AutoModelForCausalLM.from_config(cfg, dtype=torch.float32, attn_implementation="sdpa")


def lr_at(step: int, config: PretrainConfig) -> float:
    """Linear warmup, then cosine decay to min_lr_ratio of the peak."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    t = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    return config.learning_rate * (config.min_lr_ratio + (1 - config.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * t)))


def evaluate_loss(model, data, config: PretrainConfig, max_windows: int = 64) -> float:
    import torch

    n = min(max_windows, (len(data) - 1) // config.seq_len)
    if n == 0:
        return float("nan")
    windows = data[: n * config.seq_len + 1]
    x = windows[:-1].view(n, config.seq_len)
    y = windows[1:].view(n, config.seq_len)
    model.eval()
    with torch.no_grad():
        losses = [
            model(input_ids=x[i : i + 16], labels=None)
            .logits.float()
            .log_softmax(-1)
            .gather(-1, y[i : i + 16, :, None])
            .neg()
            .mean()
            .item()
            for i in range(0, n, 16)
        ]
    model.train()
    return sum(losses) / len(losses)


def sample(model, tokenizer, prompt: str, max_new_tokens: int = 48) -> str:
    import torch

    ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    model.eval()
    with torch.no_grad():
        out = model.generate(
            ids,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            repetition_penalty=1.1,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    model.train()
    return tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)


def pretrain(
    out: str | Path,
    corpus: list[str | Path] | None = None,
    config: PretrainConfig = PretrainConfig(),
    as_json: bool = False,
    log_every: int = 20,
    force: bool = False,
) -> dict:
    """Pre-trains into `out` (atomically) unless it already holds this exact model; returns the summary."""
    out = Path(out).resolve()
    files = corpus_files(corpus or [DEFAULT_CORPUS])
    stamp = stamp_of(files, config)
    progress = Progress(config.steps, as_json, log_every)
    if not force and (hit := cached(out, stamp)):
        progress.log(f"{out} is up to date (stamp {stamp[:12]}); nothing to do")
        return {**hit, "cached": True}

    from modelfactory_worker.models import cpu_has_native_bf16  # (also sets the offline environment before transformers loads)
    import torch

    threads = int(os.environ.get("MODELFACTORY_WORKER_THREADS", "0")) or os.cpu_count() or 1
    torch.set_num_threads(threads)
    t_start = time.monotonic()
    docs = documents(files)
    progress.log(
        f"{len(docs)} documents, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB from "
        f"{', '.join(str(f) for f in files)}; {threads} threads"
    )
    tokenizer = train_tokenizer(docs, config.vocab)
    data = token_stream(tokenizer, docs)
    n_eval = max(config.seq_len + 1, int(len(data) * config.eval_fraction))
    train_data, eval_data = data[:-n_eval], data[-n_eval:]
    model = make_model(config, tokenizer)
    # bf16 autocast doubles CPU throughput where the CPU multiplies bf16 natively and slows it down
    # elsewhere, so it is used only there. Weights and optimizer stay fp32.
    bf16 = cpu_has_native_bf16() and os.environ.get("MODELFACTORY_PRETRAIN_BF16", "1") != "0"
    parameters = sum(p.numel() for p in model.parameters())
    progress.log(
        f"tokenizer {len(tokenizer)} tokens, {len(data):,} corpus tokens; model {parameters / 1e6:.2f} M parameters "
        f"(hidden {config.hidden}, {config.layers} layers, context {config.context}); "
        f"{config.steps} steps of {config.batch_size}x{config.seq_len} tokens{', bf16 autocast' if bf16 else ''}"
    )

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=config.learning_rate,
        betas=(0.9, 0.95),
    )
    autocast = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if bf16 else contextlib.nullcontext
    gen = torch.Generator().manual_seed(config.seed)
    windows = len(train_data) - config.seq_len - 1
    initial_eval = evaluate_loss(model, eval_data, config)
    losses: list[float] = []
    tokens = 0
    progress.t0 = time.monotonic()
    for step in range(config.steps):
        lr = lr_at(step, config)
        for group in opt.param_groups:
            group["lr"] = lr
        starts = torch.randint(0, windows, (config.batch_size,), generator=gen)
        x = torch.stack([train_data[s : s + config.seq_len] for s in starts.tolist()])
        y = torch.stack([train_data[s + 1 : s + 1 + config.seq_len] for s in starts.tolist()])
        with autocast():
            logits = model(input_ids=x).logits
        loss = torch.nn.functional.cross_entropy(logits.float().view(-1, logits.shape[-1]), y.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        tokens += x.numel()
        losses.append(loss.item())
        progress.step(step + 1, losses[-1], lr, tokens)
    train_seconds = time.monotonic() - progress.t0
    eval_loss = evaluate_loss(model, eval_data, config)
    samples = {
        p: sample(model, tokenizer, p)
        for p in ("Once upon a time,", "<|im_start|>user\nHow do I make a pot of tea?<|im_end|>\n<|im_start|>assistant\n")
    }
    for p, s in samples.items():
        progress.log(f"sample {p[-40:]!r} -> {s!r}")

    summary = {
        "stamp": stamp,
        "config": asdict(config),
        "architecture": "llama",
        "parameters": parameters,
        "vocab": len(tokenizer),
        "corpus": [str(f) for f in files],
        "corpus_bytes": sum(f.stat().st_size for f in files),
        "corpus_tokens": len(data),
        "tokens_trained": tokens,
        "train_seconds": round(train_seconds, 1),
        "total_seconds": round(time.monotonic() - t_start, 1),
        "threads": threads,
        "bf16_autocast": bf16,
        "tokens_per_s": round(tokens / train_seconds, 1),
        "first_loss": round(losses[0], 4),
        "final_loss": round(sum(losses[-10:]) / len(losses[-10:]), 4),
        "eval_loss_initial": round(initial_eval, 4),
        "eval_loss": round(eval_loss, 4),
        "eval_perplexity": round(math.exp(eval_loss), 2),
        "samples": samples,
        "losses": [round(v, 4) for v in losses],
    }
    _write_atomically(out, model, tokenizer, summary)
    progress.log(
        f"wrote {out} in {summary['total_seconds']} s: final loss {summary['final_loss']}, held-out perplexity {summary['eval_perplexity']}"
    )
    return {**summary, "cached": False}


def _write_atomically(out: Path, model, tokenizer, summary: dict) -> None:
    """Writes into a sibling temp folder and renames it over `out`, so readers never see half a model."""
    from transformers import GenerationConfig

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / STAMP_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
