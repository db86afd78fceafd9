"""Which evaluation was best, and when to stop: the bookkeeping of evaluation during training.

Every held-out loss goes through `EarlyStopping.update`. The first one, and any later one lower
than the best by more than `min_delta`, becomes the best (its weights are what the run publishes);
any other counts against `patience`, and `patience` of them in a row stop the run (patience 0
never stops it). The state is a few numbers, saved in every checkpoint, so a resumed run makes
the same decisions as an uninterrupted one.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass

# The in-training evaluations together read about this share of the tokens the run trains on
# (a forward pass over them costs about a third of a training step's per token, so ~1 % of the
# run's time), but every one reads at least MIN_SLICE_RECORDS records, fewer only when the
# held-out split is smaller: a loss over one or two records is too noisy to pick a best step by.
SLICE_TOKEN_SHARE = 1 / 30
MIN_SLICE_RECORDS = 4


def eval_interval(eval_every: int, evals_per_run: int, total_steps: int) -> int:
    """Steps between evaluations: `eval_every` when set, else about `evals_per_run` per run, else 0 (only at the end)."""
    if eval_every > 0:
        return eval_every
    if evals_per_run > 0 and total_steps > 0:
        return max(1, math.ceil(total_steps / evals_per_run))
    return 0


def evaluations_in_run(interval: int, total_steps: int) -> int:
    """How many evaluations a run of `total_steps` makes at `interval` (plus the last step; one when 0)."""
    return math.ceil(total_steps / interval) if interval > 0 and total_steps > 0 else 1


def eval_slice(lengths: list[int], *, seed: int, cap: int, run_tokens: int, evaluations: int) -> list[int]:
    """Indices (ascending) of the held-out records that every in-training evaluation reads.

    A seeded draw, so it is the same on every rank and on resume: the first records of a
    permutation by `seed`, `cap` of them when cap > 0, else as many as it takes for
    `evaluations` passes to read about SLICE_TOKEN_SHARE of `run_tokens` (at least
    MIN_SLICE_RECORDS). `lengths` are the records' token counts; all of them when fewer fit.
    """
    n = len(lengths)
    order = random.Random(seed).sample(range(n), n)
    if cap > 0:
        k = min(cap, n)
    else:
        budget = run_tokens * SLICE_TOKEN_SHARE / max(1, evaluations)
        k, read = 0, 0
        while k < n and (k < MIN_SLICE_RECORDS or read < budget):
            read += lengths[order[k]]
            k += 1
    return sorted(order[:k])


@dataclass
class EarlyStopping:
    patience: int = 0
    min_delta: float = 0.0
    best_step: int | None = None
    best_loss: float | None = None
    evals: int = 0
    bad_evals: int = 0  # evaluations in a row that did not beat the best by more than min_delta
    stopped_step: int | None = None

    def update(self, step: int, loss: float | None) -> bool:
        """Records the held-out loss after `step`; True when it is the new best (save its weights).
        A non-finite loss never becomes the best and counts as not improving."""
        self.evals += 1
        finite = loss is not None and math.isfinite(loss)
        if finite and (self.best_loss is None or loss < self.best_loss - self.min_delta):
            self.best_step, self.best_loss, self.bad_evals = step, float(loss), 0
            return True
        self.bad_evals += 1
        if self.patience and self.bad_evals >= self.patience and self.stopped_step is None:
            self.stopped_step = step
        return False

    @property
    def should_stop(self) -> bool:
        return self.stopped_step is not None

    def reason(self, final_step: int, total_steps: int) -> str:
        """One sentence for the report: which step was best and why the run ended where it did."""
        if self.best_step is None:
            return "no finite held-out loss was measured; the last step's weights are published"
        best = f"eval loss {self.best_loss:.4g} at step {self.best_step} was the lowest of {self.evals} evaluation(s)"
        if self.stopped_step is not None:
            return (
                f"{best}; stopped at step {self.stopped_step} of {total_steps} after {self.bad_evals} "
                f"evaluation(s) without improving by more than {self.min_delta:g}"
            )
        return f"{best}; trained all {final_step} steps"

    def state_dict(self) -> dict:
        return asdict(self)

    def load_state_dict(self, state: dict) -> None:
        """The counters of a checkpoint; patience and min_delta stay the run's (the fingerprint
        already refuses a resume with different ones)."""
        for k in ("best_step", "best_loss", "evals", "bad_evals", "stopped_step"):
            setattr(self, k, state[k])
