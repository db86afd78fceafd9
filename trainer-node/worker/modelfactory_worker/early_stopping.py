"""Which evaluation was best, and when to stop: the bookkeeping of evaluation during training.

Every held-out loss goes through `EarlyStopping.update`. The first one, and any later one lower
than the best by more than `min_delta`, becomes the best (its weights are what the run publishes);
any other counts against `patience`, and `patience` of them in a row stop the run (patience 0
never stops it). The state is a few numbers, saved in every checkpoint, so a resumed run makes
the same decisions as an uninterrupted one.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


def eval_interval(eval_every: int, evals_per_run: int, total_steps: int) -> int:
    """Steps between evaluations: `eval_every` when set, else about `evals_per_run` per run, else 0 (only at the end)."""
    if eval_every > 0:
        return eval_every
    if evals_per_run > 0 and total_steps > 0:
        return max(1, math.ceil(total_steps / evals_per_run))
    return 0


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
            return (f"{best}; stopped at step {self.stopped_step} of {total_steps} after {self.bad_evals} "
                    f"evaluation(s) without improving by more than {self.min_delta:g}")
        return f"{best}; trained all {final_step} steps"

    def state_dict(self) -> dict:
        return asdict(self)

    def load_state_dict(self, state: dict) -> None:
        """The counters of a checkpoint; patience and min_delta stay the run's (the fingerprint
        already refuses a resume with different ones)."""
        for k in ("best_step", "best_loss", "evals", "bad_evals", "stopped_step"):
            setattr(self, k, state[k])
