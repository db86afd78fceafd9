"""Training hyperparameters, validated once when a `train` command arrives.

Defaults work on a laptop CPU with a small model; every field is documented in PROTOCOL.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields

from .errors import WorkerError
from .lora import LoraSpec
from .models import PRECISIONS

METHODS = ("lora", "qlora", "full")
SCHEDULERS = ("cosine", "linear", "constant")


@dataclass
class TrainConfig:
    method: str = "lora"
    lora: LoraSpec = field(default_factory=LoraSpec)
    learning_rate: float = 2e-4
    epochs: int = 1
    max_steps: int = 0  # > 0 overrides epochs
    batch_size: int = 4  # rows per micro-batch (a row is one example, or several when packing)
    grad_accum: int = 1
    max_seq_len: int = 512
    packing: bool = True
    scheduler: str = "cosine"
    warmup_steps: int = 0
    warmup_ratio: float = 0.0  # used when warmup_steps is 0
    min_lr_ratio: float = 0.0  # floor of cosine/linear decay, as a fraction of learning_rate
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0  # 0 disables clipping
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_eps: float = 1e-8
    seed: int = 42
    eval_every: int = 0  # steps between held-out evaluations; 0 = derived from evals_per_run
    evals_per_run: int = 0  # with eval_every 0: evaluate about this many times per run; 0 = only at the end
    early_stopping_patience: int = 0  # stop after this many evaluations in a row without improving; 0 = never
    early_stopping_min_delta: float = 0.0  # an eval loss must beat the best by more than this to count
    eval_slice_records: int = 0  # held-out records the in-training evaluations read; 0 = derived (early_stopping.eval_slice)
    checkpoint_every: int = 0  # steps; 0 = no intermediate checkpoints
    keep_checkpoints: int = 2
    eval_fraction: float = 0.1  # held-out share when no eval file is given
    gradient_checkpointing: bool = False
    precision: str = "auto"  # CPU matmuls: auto (bf16 autocast where native) | fp32 | bf16 (models.cpu_bf16_autocast)

    @classmethod
    def from_dict(cls, d: dict | None) -> "TrainConfig":
        d = dict(d or {})
        cfg = cls()
        if "lora" in d:
            cfg.lora = LoraSpec.from_dict(d.pop("lora"))
        known = {f.name: f for f in fields(cls) if f.name != "lora"}
        unknown = sorted(set(d) - set(known))
        if unknown:
            raise WorkerError("bad_request", f"unknown training field(s): {', '.join(unknown)}")
        for key, value in d.items():
            default = getattr(cfg, key)
            if isinstance(default, bool):
                ok = isinstance(value, bool)
            elif isinstance(default, int):
                ok = isinstance(value, int) and not isinstance(value, bool)
            elif isinstance(default, float):
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
                value = float(value) if ok else value
            else:
                ok = isinstance(value, str)
            if not ok:
                raise WorkerError("bad_request", f"training field '{key}' must be a {type(default).__name__}, got {value!r}")
            setattr(cfg, key, value)
        cfg._check()
        return cfg

    def _check(self) -> None:
        def need(cond: bool, msg: str):
            if not cond:
                raise WorkerError("bad_request", f"training: {msg}")

        need(self.method in METHODS, f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        need(self.scheduler in SCHEDULERS, f"scheduler must be one of {', '.join(SCHEDULERS)}")
        need(self.learning_rate > 0, "learning_rate must be > 0")
        need(self.epochs >= 1 or self.max_steps > 0, "epochs must be >= 1 (or max_steps > 0)")
        need(self.max_steps >= 0, "max_steps must be >= 0")
        need(self.batch_size >= 1 and self.grad_accum >= 1, "batch_size and grad_accum must be >= 1")
        need(self.max_seq_len >= 8, "max_seq_len must be >= 8")
        need(self.warmup_steps >= 0 and 0 <= self.warmup_ratio < 1, "warmup must be >= 0 (ratio < 1)")
        need(0 <= self.min_lr_ratio <= 1, "min_lr_ratio must be in [0, 1]")
        need(self.weight_decay >= 0 and self.max_grad_norm >= 0, "weight_decay and max_grad_norm must be >= 0")
        need(
            self.eval_every >= 0 and self.checkpoint_every >= 0 and self.keep_checkpoints >= 0,
            "eval_every, checkpoint_every and keep_checkpoints must be >= 0",
        )
        need(0 <= self.eval_fraction < 1, "eval_fraction must be in [0, 1)")
        need(self.evals_per_run >= 0 and self.early_stopping_patience >= 0, "evals_per_run and early_stopping_patience must be >= 0")
        need(self.early_stopping_min_delta >= 0, "early_stopping_min_delta must be >= 0")
        need(self.precision in PRECISIONS, f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        need(self.eval_slice_records >= 0, "eval_slice_records must be >= 0 (0 = derived from the run's tokens)")
        need(
            not self.early_stopping_patience or self.eval_every or self.evals_per_run,
            "early_stopping_patience needs evaluations during training (eval_every or evals_per_run > 0)",
        )

    def to_dict(self) -> dict:
        d = asdict(self)
        d["lora"].pop("extra", None)
        return d

    def fingerprint(self) -> str:
        """What must not change between a checkpoint and its resume (the schedule, the data order,
        and when it evaluates: the published weights are the best evaluation's)."""
        d = self.to_dict()
        for k in ("checkpoint_every", "keep_checkpoints"):
            d.pop(k)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]
