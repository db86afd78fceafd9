"""Post-training data insights: the trained model's loss on each contribution's records, and which
contributions stay far above the rest (noisy, mislabeled or off-topic data).

Only numbers and contribution ids leave this module: no record text, so the result may go into a
public report even when the data is permissioned.

The rule (`RULE`): on each side (training records, held-out records) with at least
`MIN_CONTRIBUTIONS` contributions, a contribution's modified z-score is
0.6745 · (loss − median) / MAD over the contributions' losses (Iglewicz and Hoaglin); it is
flagged when that exceeds `Z_THRESHOLD` *and* its loss is at least `MIN_GAP_NATS` above the median.
Median and MAD, not mean and standard deviation, because the outlier is part of the sample: with n
contributions a classic z-score can never exceed (n − 1)/√n (2.85 at n = 10), so one bad
contribution among ten could never be flagged at 3, while the median and MAD ignore it (breakdown
point 50 %). The gap of ln 2 nats (a perplexity at least twice the median contribution's) keeps a
set of nearly identical contributions, whose MAD is tiny, from flagging trivial differences.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .chat import ChatFormatter
from .data import tokenize
from .errors import WorkerError
from .evaluate import example_losses
from .records import DatasetRecord

Z_THRESHOLD = 3.5
MIN_GAP_NATS = math.log(2)
MIN_CONTRIBUTIONS = 3
# Training records read per contribution: bounds the cost to one forward pass over at most this many
# records each (a seeded sample), whatever the size of the Datanet.
MAX_TRAIN_RECORDS = 64
RULE = (
    f"modified z-score 0.6745·(loss − median)/MAD over the contributions' mean token losses, "
    f"per side (training records at the end of training, held-out records), with at least "
    f"{MIN_CONTRIBUTIONS} contributions on the side; flagged when z > {Z_THRESHOLD} and the loss is at "
    f"least ln 2 nats above the median (perplexity at least twice the median contribution's)"
)


@dataclass
class SideLoss:
    records: int
    tokens: int
    loss: float

    def to_dict(self) -> dict:
        return {"records": self.records, "tokens": self.tokens, "loss": self.loss}


def check_ids(ids: object, n: int, field: str) -> list[str]:
    """Contribution ids given for a JSONL file: one non-empty string per record."""
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise WorkerError(
            "bad_request", f"'evaluate' field 'insights.{field}' must be a list of contribution ids (non-empty strings), one per record"
        )
    if len(ids) != n:
        raise WorkerError(
            "bad_request",
            f"'evaluate' field 'insights.{field}' has {len(ids)} ids for {n} records: "
            f"give one contribution id per record of the file, in order",
            {"ids": len(ids), "records": n},
        )
    return ids


def sample_per_contribution(ids: list[str], cap: int, seed: int = 0) -> list[int]:
    """Indices of at most `cap` records of each contribution (a seeded sample), in file order."""
    by: dict[str, list[int]] = {}
    for i, c in enumerate(ids):
        by.setdefault(c, []).append(i)
    keep: list[int] = []
    for c, idx in by.items():
        if len(idx) > cap:
            idx = sorted(random.Random(f"{seed}:{c}").sample(idx, cap))
        keep += idx
    return sorted(keep)


def side_losses(
    model,
    fmt: ChatFormatter,
    records: list[DatasetRecord],
    ids: list[str],
    *,
    max_len: int,
    pad_id: int,
    device,
    dtype,
    cpu_bf16: bool = False,
) -> dict[str, SideLoss]:
    """Mean token loss of `model` on each contribution's records (records with no trained token skipped)."""
    split = tokenize(records, fmt, max_len)
    losses = example_losses(model, split.examples, pad_id=pad_id, device=device, dtype=dtype, seq_len=max_len, cpu_bf16=cpu_bf16)
    acc: dict[str, list[float]] = {}
    for src, (s, n) in zip(split.sources, losses):
        a = acc.setdefault(ids[src], [0, 0, 0.0])
        a[0], a[1], a[2] = a[0] + 1, a[1] + n, a[2] + s
    return {c: SideLoss(int(r), int(n), s / n if n else math.nan) for c, (r, n, s) in acc.items()}


def robust_z(values: dict[str, float]) -> dict[str, float | None]:
    """Modified z-score of each value (None for all when fewer than MIN_CONTRIBUTIONS values).

    When more than half the values are equal the MAD is 0; the mean absolute deviation (scaled by
    1.2533, its ratio to σ for normal data) stands in, and all-equal values score 0.
    """
    if len(values) < MIN_CONTRIBUTIONS:
        return {k: None for k in values}
    xs = sorted(values.values())
    med = _median(xs)
    mad = _median(sorted(abs(x - med) for x in xs))
    if mad > 0:
        return {k: 0.6745 * (v - med) / mad for k, v in values.items()}
    mean_ad = sum(abs(x - med) for x in xs) / len(xs)
    if mean_ad == 0:
        return {k: 0.0 for k in values}
    return {k: (v - med) / (1.253314 * mean_ad) for k, v in values.items()}


def _median(xs: list[float]) -> float:
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def _flags(side: dict[str, SideLoss]) -> tuple[dict[str, float | None], set[str]]:
    finite = {c: s.loss for c, s in side.items() if math.isfinite(s.loss)}
    z = robust_z(finite)
    med = _median(sorted(finite.values())) if finite else math.nan
    flagged = {c for c, v in z.items() if v is not None and v > Z_THRESHOLD and finite[c] - med >= MIN_GAP_NATS}
    return z, flagged


def _key(c: str):
    return (len(c), c) if c.isdigit() else (math.inf, c)


def contribution_insights(train: dict[str, SideLoss], held_out: dict[str, SideLoss], max_train_records: int) -> dict:
    """The `insights` part of the `evaluate` result (numbers and ids only)."""
    train_z, train_flag = _flags(train)
    held_z, held_flag = _flags(held_out)
    rows = []
    for c in sorted(set(train) | set(held_out), key=_key):
        rows.append(
            {
                "id": c,
                "train": train[c].to_dict() if c in train else None,
                "held_out": held_out[c].to_dict() if c in held_out else None,
                "train_z": train_z.get(c),
                "held_out_z": held_z.get(c),
                "flagged": c in train_flag or c in held_flag,
            }
        )
    return {
        "rule": RULE,
        "z_threshold": Z_THRESHOLD,
        "min_gap_nats": MIN_GAP_NATS,
        "min_contributions": MIN_CONTRIBUTIONS,
        "max_train_records": max_train_records,
        "contributions": rows,
    }
