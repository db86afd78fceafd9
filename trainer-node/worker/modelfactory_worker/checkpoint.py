"""Training checkpoints: trainable weights, optimizer, scheduler, RNG and data position.

Resuming from one reproduces the uninterrupted run's losses exactly. A checkpoint also holds the
best evaluation's trainable weights (`best.safetensors`) when they differ from its own, so a
resumed run publishes the same best weights as an uninterrupted one. A checkpoint is written to
a temporary folder and renamed into place, so a crash never leaves a half-written one behind.
"""

from __future__ import annotations

import os
import random
import re
import shutil

import torch
from safetensors.torch import load_file, save_file

from .errors import WorkerError

_STEP_DIR = re.compile(r"^step-(\d+)$")


def rng_state() -> dict:
    state = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(
    root: str,
    step: int,
    trainable: dict[str, torch.Tensor],
    state: dict,
    write_adapter=None,
    keep: int = 2,
    best: dict[str, torch.Tensor] | None = None,
) -> str:
    """Write checkpoints/step-N under root; keep only the newest `keep` (0 keeps all). `best`: the
    best evaluation's trainable weights, when they are not the step's own."""
    base = os.path.join(root, "checkpoints")
    final = os.path.join(base, f"step-{step}")
    tmp = final + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    save_file({k: v.detach().contiguous().cpu() for k, v in trainable.items()}, os.path.join(tmp, "trainable.safetensors"))
    if best is not None:
        save_file({k: v.detach().contiguous().cpu() for k, v in best.items()}, os.path.join(tmp, "best.safetensors"))
    torch.save(state, os.path.join(tmp, "trainer_state.pt"))
    if write_adapter is not None:
        write_adapter(os.path.join(tmp, "adapter"))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    if keep > 0:
        for old in list_checkpoints(root)[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    return final


def list_checkpoints(root: str) -> list[str]:
    base = os.path.join(root, "checkpoints")
    if not os.path.isdir(base):
        return []
    found = [(int(m.group(1)), os.path.join(base, d)) for d in os.listdir(base) if (m := _STEP_DIR.match(d))]
    return [p for _, p in sorted(found)]


def resolve(resume_from: str, output_dir: str) -> str | None:
    """'latest' -> newest checkpoint in output_dir (None if there is none); a path must exist."""
    if resume_from == "latest":
        found = list_checkpoints(output_dir)
        return found[-1] if found else None
    if not os.path.isfile(os.path.join(resume_from, "trainer_state.pt")):
        raise WorkerError("file_not_found", f"no checkpoint (trainer_state.pt) in {resume_from}", {"path": resume_from})
    return resume_from


def load_checkpoint(path: str) -> tuple[dict[str, torch.Tensor], dict]:
    trainable = load_file(os.path.join(path, "trainable.safetensors"))
    state = torch.load(os.path.join(path, "trainer_state.pt"), weights_only=False)
    return trainable, state


def load_best(path: str) -> dict[str, torch.Tensor] | None:
    """The best evaluation's weights saved with a checkpoint; None when they are its own (or it has none)."""
    f = os.path.join(path, "best.safetensors")
    return load_file(f) if os.path.isfile(f) else None
