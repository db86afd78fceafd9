"""Inside one data-parallel rank: what the Trainer (train.py) is given to run its loop over N
processes — this rank's place in the world, DDP around a module whose forward is the loss, the
all-reduce and gather it needs, and the rule that splits a step's rows across the ranks.

launcher.py starts the ranks from the worker; rank.py is a rank's entry point.
"""

from __future__ import annotations

from contextlib import nullcontext

import torch

from .loss import batch_loss


# -- inside a rank: what the Trainer is given ----------------------------------------------------
class LossModule(torch.nn.Module):
    """What DDP wraps: its forward is the training loss, so DDP's forward/backward hooks see it."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, batch):
        return batch_loss(self.model, batch)[0]


class DataParallel:
    """This process's place in the world, and the accelerate objects the Trainer uses."""

    def __init__(self, accelerator):
        self.accelerator = accelerator
        self.rank = accelerator.process_index
        self.world = accelerator.num_processes
        self.device = accelerator.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def prepare(self, model, optimizer):
        """DDP-wrapped loss module and accelerate's optimizer wrapper (the model is already placed)."""
        ddp = self.accelerator.prepare_model(LossModule(model), device_placement=False)
        opt = self.accelerator.prepare_optimizer(optimizer, device_placement=False)
        return ddp, opt

    def no_sync(self, ddp, sync: bool):
        return nullcontext() if sync or not hasattr(ddp, "no_sync") else ddp.no_sync()

    def all_sum(self, values: list[float]) -> list[float]:
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        torch.distributed.all_reduce(t, op=torch.distributed.ReduceOp.SUM)
        return t.tolist()

    def gather(self, obj) -> list:
        out = [None] * self.world
        torch.distributed.all_gather_object(out, obj)
        return out


def shard(rows: list, rank: int, world: int) -> list:
    """Contiguous, balanced share of a step's rows (sizes differ by at most one)."""
    n = len(rows)
    lo = rank * (n // world) + min(rank, n % world)
    return rows[lo : lo + n // world + (rank < n % world)]
