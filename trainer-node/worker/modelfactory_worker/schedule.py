"""The learning-rate schedule: linear warmup, then cosine, linear or constant down to a floor.

A pure function of the optimizer step, so a resumed run (which restores the step) continues on
the same curve; `TrainConfig.scheduler` names the kind and `min_lr_ratio` the floor.
"""

from __future__ import annotations

import math


def lr_multiplier(step: int, total: int, warmup: int, kind: str, floor: float) -> float:
    """Multiplier of the base learning rate at optimizer step `step` (0-based)."""
    if step < warmup:
        return (step + 1) / warmup
    if kind == "constant":
        return 1.0
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    decay = 0.5 * (1 + math.cos(math.pi * progress)) if kind == "cosine" else 1 - progress
    return floor + (1 - floor) * decay
